import { INestApplication } from '@nestjs/common';
import type { ConsumeMessage } from 'amqplib';
import { WarrenConsumers, WarrenModule } from 'nestjs-warren';
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
    const own = unique('q.mem.own');
    const batched = unique('q.mem.batch');
    const batchSizes: number[] = [];
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
      app = await startApp({ imports: [WarrenModule.forRoot({ logger: false, prefetch: 10, consumer: { maxInFlightBytes: BUDGET } })] });
      await app.get(WarrenConsumers).addMany([
        { options: { type: 'subscribe', queue, retry: false }, handler },
        { options: { type: 'subscribe', queue: big, retry: false }, handler },
        { options: { type: 'subscribe', queue: own, retry: false, maxInFlightBytes: 1_000 }, handler },
        {
          options: { type: 'subscribe', queue: batched, retry: false, batchOptions: { size: 10, timeout: 60_000 } },
          handler: (payloads) => void batchSizes.push((payloads as unknown[]).length),
        },
      ]);
    });

    afterAll(async () => {
      for (const g of gates.values()) g.open();
      await closeAll(app);
      await raw.deleteQueues(queue, big, own, batched);
    });

    it('never lets the bytes of deliveries in handlers exceed it, and handles every message', async () => {
      const ids = Array.from({ length: 10 }, (_, i) => `m${i}`);
      for (const id of ids) await raw.publish('', queue, Buffer.alloc(1_000, 'a'), { messageId: id, contentType: 'application/octet-stream' });
      await waitFor(() => inHandler >= 3, 'three deliveries in the handler');
      const probe = await raw.connection.createChannel();
      try {
        // Over its budget, the consumer has stopped taking deliveries: the broker shows no consumer.
        await waitFor(async () => (await probe.checkQueue(queue)).consumerCount === 0, 'the consumer stopped taking deliveries');
        // Let them through one at a time; each release makes room for the next.
        for (const id of ids) {
          await waitFor(() => gates.has(id), `${id} in the handler`);
          gates.get(id)!.open();
          await waitFor(() => handled.includes(id), `${id} handled`);
        }
        expect(handled.sort()).toEqual([...ids].sort());
        expect(maxBytesInHandler).toBeLessThanOrEqual(BUDGET);
        expect(maxInHandler).toBe(3); // the budget, not a prefetch of one
        // Back under its budget, it consumes again.
        await waitFor(async () => {
          const { messageCount, consumerCount } = await probe.checkQueue(queue);
          return messageCount === 0 && consumerCount === 1;
        }, 'the queue empty and the consumer subscribed again');
      } finally {
        await probe.close();
      }
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

    it("a handler's own maxInFlightBytes wins over the module's", async () => {
      maxInHandler = 0;
      const ids = ['o1', 'o2', 'o3'];
      for (const id of ids) await raw.publish('', own, Buffer.alloc(1_000, 'o'), { messageId: id, contentType: 'application/octet-stream' });
      for (const id of ids) {
        await waitFor(() => gates.has(id), `${id} in the handler`);
        gates.get(id)!.open();
        await waitFor(() => handled.includes(id), `${id} handled`);
      }
      expect(maxInHandler).toBe(1);
    });

    it('pausing and resuming while over the budget neither resubscribes early nor loses the subscription', async () => {
      const consumers = app.get(WarrenConsumers);
      const ids = ['p1', 'p2', 'p3', 'p4', 'p5'];
      for (const id of ids) await raw.publish('', queue, Buffer.alloc(1_000, 'p'), { messageId: id, contentType: 'application/octet-stream' });
      const probe = await raw.connection.createChannel();
      try {
        await waitFor(async () => (await probe.checkQueue(queue)).consumerCount === 0, 'the consumer stopped taking deliveries');
        await consumers.pause(queue);
        await consumers.resume(queue);
        expect((await probe.checkQueue(queue)).consumerCount).toBe(0); // still over its budget
        await consumers.pause(queue);
        // What the consumer received before it stopped is handled while paused (one at a time, as the
        // budget allows); how many that is depends on how many the broker sent before the cancel.
        for (let round = 0; round < ids.length; round++) {
          let next: string | undefined;
          await waitFor(async () => {
            next = ids.find((id) => gates.has(id) && !handled.includes(id));
            // `handled` holds the earlier tests' ids too: count only this test's.
            const handledHere = ids.filter((id) => handled.includes(id)).length;
            return next !== undefined || (await probe.checkQueue(queue)).messageCount + handledHere === ids.length;
          }, 'a received delivery in the handler, or none held by the consumer');
          if (next === undefined) break;
          gates.get(next)!.open();
          await waitFor(() => handled.includes(next!), `${next} handled`);
        }
        const waiting = ids.filter((id) => !handled.includes(id));
        await raw.publish('', queue, Buffer.alloc(1_000, 'p'), { messageId: 'p6', contentType: 'application/octet-stream' });
        // Paused: the rest and p6 wait in the queue, and nothing subscribes.
        expect(await probe.checkQueue(queue)).toMatchObject({ messageCount: waiting.length + 1, consumerCount: 0 });
        gates.set('p6', gate());
        gates.get('p6')!.open();
        await consumers.resume(queue);
        for (const id of waiting) {
          await waitFor(() => gates.has(id), `${id} in the handler after resume`);
          gates.get(id)!.open();
        }
        await waitFor(() => [...waiting, 'p6'].every((id) => handled.includes(id)), 'the rest and p6 handled after resume');
        await waitFor(async () => (await probe.checkQueue(queue)).consumerCount === 1, 'subscribed once more');
      } finally {
        await probe.close();
      }
    });

    it('a batch that cannot grow within the budget is handled at once, not after its timeout', async () => {
      for (let i = 0; i < 4; i++) raw.channel.sendToQueue(batched, Buffer.alloc(1_000, 'b'), { contentType: 'application/octet-stream' });
      await raw.channel.waitForConfirms();
      // The batch's timeout is a minute; waitFor's deadline is 10 s.
      await waitFor(() => batchSizes.length >= 1, 'the first batch');
      expect(batchSizes[0]).toBe(3); // as many as fit the 3,000-byte budget
    });
  });
});
