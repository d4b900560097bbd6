import { INestApplication } from '@nestjs/common';
import type { ConsumeMessage } from 'amqplib';
import { WarrenConsumers, WarrenModule, WarrenModuleOptions } from 'nestjs-warren';
import { closeAll, startApp } from './support/app';
import { RawClient, unique, waitFor } from './support/broker';

/** A promise the test resolves when it chooses: a handler waits on one to stay "in the handler". */
function gate(): { opened: Promise<void>; open(): void } {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { opened, open };
}

/**
 * Issue 22, finding 2: a consumer's memory. An over-size body is parked as a header-only record
 * (not copied in full), and the bytes of deliveries in a handler at once stay within
 * `consumer.maxInFlightBytes`, without ever stalling on a single delivery larger than it.
 */
describe('consumer memory bounds (real broker)', () => {
  let raw: RawClient;

  beforeAll(async () => {
    raw = await RawClient.connect();
  });

  afterAll(async () => {
    await raw.close();
  });

  describe('an over-size delivery', () => {
    const queue = unique('q.mem.oversize');
    const handled: string[] = [];
    let app: INestApplication;

    beforeAll(async () => {
      app = await startApp({ imports: [WarrenModule.forRoot({ logger: false, maxMessageBytes: 1_024 })] });
      await app.get(WarrenConsumers).add({ type: 'subscribe', queue, retry: { attempts: 3, initialDelayMs: 50 } }, (_payload, message) => {
        handled.push(String(message.properties.messageId));
      });
    });

    afterAll(async () => {
      await closeAll(app);
      await raw.deleteQueues(queue);
      await raw.channel.deleteQueue(`${queue}.retry.50ms`).catch(() => undefined);
      await raw.channel.deleteQueue(`${queue}.retry.100ms`).catch(() => undefined);
    });

    it('is parked as a header-only record: its properties, size and reason, an empty body', async () => {
      const body = Buffer.alloc(4_096, 'x');
      await raw.publish('', queue, body, { messageId: 'big-1', contentType: 'application/json', correlationId: 'c-1', headers: { 'x-app': 'kept' } });
      await raw.publish('', queue, JSON.stringify({ ok: true }), { messageId: 'small-1', contentType: 'application/json' });
      await waitFor(() => handled.includes('small-1'), 'the message after it handled');
      await waitFor(async () => (await raw.ready(`${queue}.dlq`)) === 1, 'the over-size message parked');
      const [parked] = await raw.drain(`${queue}.dlq`);
      expect(parked.content.length).toBe(0);
      const headers = parked.properties.headers!;
      expect(headers['warren-body-bytes']).toBe(4_096);
      expect(headers['warren-body-dropped']).toEqual(expect.stringContaining('maxMessageBytes'));
      expect(headers['warren-error-code']).toBe('MESSAGE_TOO_LARGE');
      expect(headers['warren-error']).toEqual(expect.stringContaining('4096 bytes'));
      expect(headers['warren-attempt']).toBe(1); // never retried
      expect(headers['x-app']).toBe('kept');
      expect(parked.properties.messageId).toBe('big-1');
      expect(parked.properties.correlationId).toBe('c-1');
      expect(parked.properties.contentType).toBe('application/json');
      expect(handled).not.toContain('big-1');
      expect(await raw.ready(queue)).toBe(0);
    });
  });

  describe('consumer.maxInFlightBytes', () => {
    const BUDGET = 3_000;
    const queue = unique('q.mem.budget');
    const big = unique('q.mem.single');
    let app: INestApplication;
    let inHandler = 0;
    let bytesInHandler = 0;
    let maxInHandler = 0;
    let maxBytesInHandler = 0;
    const gates = new Map<string, ReturnType<typeof gate>>();
    const handled: string[] = [];

    const handler = async (_payload: unknown, message: ConsumeMessage) => {
      const id = String(message.properties.messageId);
      inHandler++;
      bytesInHandler += message.content.length;
      maxInHandler = Math.max(maxInHandler, inHandler);
      maxBytesInHandler = Math.max(maxBytesInHandler, bytesInHandler);
      if (!gates.has(id)) gates.set(id, gate());
      try {
        await gates.get(id)!.opened;
      } finally {
        inHandler--;
        bytesInHandler -= message.content.length;
        handled.push(id);
      }
    };

    beforeAll(async () => {
      // A plain object, not a literal: it reads the same whether or not this Warren knows the option.
      const options: WarrenModuleOptions = { logger: false, prefetch: 10, ...{ consumer: { maxInFlightBytes: BUDGET } } };
      app = await startApp({ imports: [WarrenModule.forRoot(options)] });
      await app.get(WarrenConsumers).addMany([
        { options: { type: 'subscribe', queue, retry: false }, handler },
        { options: { type: 'subscribe', queue: big, retry: false }, handler },
      ]);
    });

    afterAll(async () => {
      for (const g of gates.values()) g.open();
      await closeAll(app);
      await raw.deleteQueues(queue, big);
    });

    it('never lets the bytes of deliveries in handlers exceed it, and handles every message', async () => {
      const ids = Array.from({ length: 10 }, (_, i) => `m${i}`);
      for (const id of ids) await raw.publish('', queue, Buffer.alloc(1_000, 'a'), { messageId: id, contentType: 'application/octet-stream' });
      await waitFor(() => inHandler >= 3, 'three deliveries in the handler');
      // Everything prefetched has arrived, or the consumer stopped taking deliveries.
      const probe = await raw.connection.createChannel();
      try {
        await waitFor(async () => {
          const { messageCount, consumerCount } = await probe.checkQueue(queue);
          return messageCount === 0 || consumerCount === 0;
        }, 'the broker has handed over what it will');
      } finally {
        await probe.close();
      }
      // Let them through one at a time; each release makes room for the next.
      for (const id of ids) {
        await waitFor(() => gates.has(id), `${id} in the handler`);
        gates.get(id)!.open();
        await waitFor(() => handled.includes(id), `${id} handled`);
      }
      expect(handled.sort()).toEqual([...ids].sort());
      expect(maxBytesInHandler).toBeLessThanOrEqual(BUDGET);
      expect(maxInHandler).toBe(3); // the budget, not a prefetch of one
      await waitFor(async () => (await raw.ready(queue)) === 0, 'the queue empty');
    });

    it('still handles a single delivery larger than the budget, and what follows it', async () => {
      await raw.publish('', big, Buffer.alloc(BUDGET * 2, 'b'), { messageId: 'huge', contentType: 'application/octet-stream' });
      await raw.publish('', big, Buffer.alloc(100, 'c'), { messageId: 'after-huge', contentType: 'application/octet-stream' });
      await waitFor(() => gates.has('huge'), 'the large delivery in the handler');
      gates.get('huge')!.open();
      await waitFor(() => gates.has('after-huge'), 'the next delivery in the handler');
      gates.get('after-huge')!.open();
      await waitFor(() => handled.includes('after-huge'), 'both handled');
      expect(handled).toContain('huge');
      await waitFor(async () => (await raw.ready(big)) === 0 && (await raw.ready(`${big}.dlq`).catch(() => 0)) === 0, 'nothing left or parked');
    });
  });
});
