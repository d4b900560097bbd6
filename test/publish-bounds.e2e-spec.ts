import { INestApplication, Injectable } from '@nestjs/common';
import {
  BufferOverflowError,
  MessageProducer,
  MessageTooLargeError,
  PublishError,
  RabbitRPC,
  RabbitSubscribe,
  RpcClient,
  WarrenModule,
  WarrenStatus,
} from 'nestjs-warren';
import { closeAll, startApp } from './support/app';
import { RawClient, unique, waitFor } from './support/broker';
import { queueCounts, setMemoryAlarm } from './support/chaos';

const MiB = 1024 * 1024;

/** Runs `fn` while a memory alarm blocks publishers on the broker under test; always clears it. */
async function duringAlarm(fn: () => Promise<void>): Promise<void> {
  await setMemoryAlarm(true);
  try {
    await fn();
  } finally {
    await setMemoryAlarm(false);
  }
}

/** What a publish came to: 'confirmed', or the error it rejected with. */
function track(published: Promise<void>, outcomes: Array<'confirmed' | Error>): void {
  published.then(
    () => outcomes.push('confirmed'),
    (error: Error) => outcomes.push(error),
  );
}

/**
 * What a broker memory alarm does to a Warren app: the publish buffer stays bounded (by count and by
 * bytes, counting what amqplib holds), a confirm timeout says the outcome is unknown, and consumers
 * keep consuming and acking because publishes (producer, forwards, replies) use a connection of their
 * own. Raises alarms: run it only against a broker node of your own (RABBITMQ_URL, RABBITMQ_NODENAME).
 */
describe('publishing under a broker alarm (real broker)', () => {
  let raw: RawClient;
  const queues: string[] = [];

  beforeAll(async () => {
    raw = await RawClient.connect();
  });

  afterAll(async () => {
    await setMemoryAlarm(false);
    await raw.deleteQueues(...queues);
    await raw.close();
  });

  async function declared(prefix: string): Promise<string> {
    const queue = unique(prefix);
    queues.push(queue);
    await raw.channel.assertQueue(queue, { durable: false });
    return queue;
  }

  describe('the publish buffer', () => {
    let app: INestApplication;
    let producer: MessageProducer;

    beforeAll(async () => {
      app = await startApp({
        imports: [
          WarrenModule.forRoot({
            logger: false,
            connection: { name: unique('bounds') },
            maxMessageBytes: 2 * MiB,
            publish: { maxBufferedBytes: 16 * MiB, maxBufferedMessages: 20, timeoutMs: 120_000 },
          }),
        ],
      });
      producer = app.get(MessageProducer);
    });

    afterAll(() => closeAll(app));

    it('during an alarm, publishes beyond publish.maxBufferedBytes reject with BufferOverflowError naming the bytes bound; memory stays bounded', async () => {
      const queue = await declared('q.bounds.bytes');
      await producer.publish('', queue, 'warm-up'); // the publishing channel is open and confirming
      const body = Buffer.alloc(MiB, 1); // one buffer for every publish: what grows is what Warren and amqplib keep
      const outcomes: Array<'confirmed' | Error> = [];
      const accepted: Promise<void>[] = [];
      await duringAlarm(async () => {
        global.gc?.();
        const rssBefore = process.memoryUsage().rss;
        for (let i = 0; i < 400; i++) {
          const published = producer.publish('', queue, body);
          accepted.push(published.catch(() => undefined));
          track(published, outcomes);
        }
        // Nothing can have been confirmed within this synchronous loop: the bound held at every call.
        expect(producer.pendingCount).toBe(16);
        expect(producer.bufferedBytes).toBe(16 * MiB);
        await waitFor(() => outcomes.length >= 384, 'the publishes over the bound to be refused');
        const rssGrowth = process.memoryUsage().rss - rssBefore;
        process.stderr.write(`publish bounds: 400 x 1 MiB during an alarm, RSS +${Math.round(rssGrowth / MiB)} MiB, buffered ${producer.bufferedBytes / MiB} MiB\n`);
        expect(rssGrowth).toBeLessThan(160 * MiB);
        const refused = outcomes.filter((o): o is BufferOverflowError => o instanceof BufferOverflowError);
        expect(refused).toHaveLength(384);
        expect(refused[0]).toMatchObject({ code: 'BUFFER_OVERFLOW', bound: 'bytes', limit: 16 * MiB });
        expect(refused[0].message).toMatch(/publish\.maxBufferedBytes/);
        expect(producer.bufferedBytes).toBe(16 * MiB);
      });
      // Once the alarm clears, what was accepted is confirmed.
      await Promise.all(accepted);
      expect(outcomes.filter((o) => o === 'confirmed')).toHaveLength(16);
      expect(producer.pendingCount).toBe(0);
      expect(producer.bufferedBytes).toBe(0);
      await waitFor(async () => (await raw.ready(queue)) === 17, '16 messages and the warm-up in the queue');
    }, 60_000);

    it('during an alarm, publishes beyond publish.maxBufferedMessages reject with BufferOverflowError naming the count bound', async () => {
      const queue = await declared('q.bounds.count');
      const outcomes: Array<'confirmed' | Error> = [];
      const accepted: Promise<void>[] = [];
      await duringAlarm(async () => {
        for (let i = 0; i < 100; i++) {
          const published = producer.publish('', queue, { i });
          accepted.push(published.catch(() => undefined));
          track(published, outcomes);
        }
        // Handed to amqplib but unconfirmed counts too.
        expect(producer.pendingCount).toBe(20);
        await waitFor(() => outcomes.length >= 80, 'the publishes over the bound to be refused');
        const refused = outcomes.filter((o): o is BufferOverflowError => o instanceof BufferOverflowError);
        expect(refused).toHaveLength(80);
        expect(refused[0]).toMatchObject({ code: 'BUFFER_OVERFLOW', bound: 'messages', limit: 20 });
        expect(refused[0].message).toMatch(/publish\.maxBufferedMessages/);
      });
      await Promise.all(accepted);
      expect(outcomes.filter((o) => o === 'confirmed')).toHaveLength(20);
    }, 60_000);
  });

  it("a confirm timeout's error says the outcome is unknown, and the message may indeed still arrive", async () => {
    const queue = await declared('q.bounds.timeout');
    const app = await startApp({ imports: [WarrenModule.forRoot({ logger: false, connection: { name: unique('bounds-timeout') }, publish: { timeoutMs: 1_500 } })] });
    try {
      const producer = app.get(MessageProducer);
      await producer.publish('', queue, 'warm-up');
      let error: PublishError | undefined;
      await duringAlarm(async () => {
        error = (await producer.publish('', queue, { late: true }, { messageId: 'late-1' }).catch((e: unknown) => e)) as PublishError;
        expect(error).toBeInstanceOf(PublishError);
        expect(error).toMatchObject({ code: 'CONFIRM_TIMEOUT', outcome: 'unknown', messageId: 'late-1' });
        expect(error.message).toMatch(/may still arrive/);
        expect(error.message).toMatch(/de-duplicate by messageId/);
        // Still on the wire, so still counted against the bounds.
        expect(producer.pendingCount).toBe(1);
      });
      await waitFor(() => producer.pendingCount === 0, 'the late confirm once the alarm cleared');
      await waitFor(async () => (await raw.ready(queue)) === 2, 'the timed-out message to arrive after all');
      const [, late] = await raw.drain(queue);
      expect(late.properties.messageId).toBe('late-1');
    } finally {
      await closeAll(app);
    }
  }, 60_000);

  it('in one app, a consume-only queue, a failing (retried) queue and an RPC queue keep being consumed and acked during an alarm', async () => {
    const plain = unique('q.alarm.plain');
    const failing = unique('q.alarm.failing');
    const rpc = unique('q.alarm.rpc');
    const replies = await declared('q.alarm.replies');
    queues.push(plain, failing, rpc, `${failing}.retry.200ms`);
    const handled = { plain: 0, failing: 0, rpc: 0 };
    // Each handler waits for its gate, so every queue holds deliveries when the alarm starts.
    const gate = () => {
      let open!: () => void;
      const opened = new Promise<void>((resolve) => (open = resolve));
      return { open, opened };
    };
    const gates = { failing: gate(), others: gate() };

    @Injectable()
    class Handlers {
      @RabbitSubscribe({ queue: plain, queueOptions: { durable: false }, prefetch: 10 })
      async onPlain() {
        await gates.others.opened;
        handled.plain++;
      }

      @RabbitSubscribe({ queue: failing, queueOptions: { durable: false }, prefetch: 10, retry: { attempts: 2, initialDelayMs: 200 } })
      async onFailing() {
        await gates.failing.opened;
        handled.failing++;
        throw new Error('always fails');
      }

      @RabbitRPC({ queue: rpc, queueOptions: { durable: false }, prefetch: 10 })
      async onRequest(payload: { n: number }) {
        await gates.others.opened;
        handled.rpc++;
        return { n: payload.n };
      }
    }

    const name = unique('bounds-consume');
    // The raw caller names its own reply queue, so the server must be told it may answer there.
    const app = await startApp({ imports: [WarrenModule.forRoot({ logger: false, connection: { name }, rpc: { allowedReplyTo: [replies] } })], providers: [Handlers] });
    try {
      const status = app.get(WarrenStatus);
      for (let n = 0; n < 300; n++) raw.channel.sendToQueue(plain, Buffer.from(JSON.stringify({ n })), { contentType: 'application/json' });
      for (let n = 0; n < 20; n++) raw.channel.sendToQueue(failing, Buffer.from(JSON.stringify({ n })), { contentType: 'application/json' });
      for (let n = 0; n < 50; n++) {
        raw.channel.sendToQueue(rpc, Buffer.from(JSON.stringify({ n })), { contentType: 'application/json', replyTo: replies, correlationId: `c${n}` });
      }
      await raw.channel.waitForConfirms();
      await waitFor(async () => (await Promise.all([plain, failing, rpc].map(queueCounts))).every((c) => c.unacked === 10), 'each consumer to hold its prefetch');

      await duringAlarm(async () => {
        // The failing handler's retry copies are publishes the broker blocks.
        gates.failing.open();
        await waitFor(() => handled.failing > 0, 'the failing handler to run');
        await waitFor(() => status.check().problems.some((p) => /blocks publishing/.test(p)), 'the broker to block the publishing connection', 15_000);
        gates.others.open();
        await waitFor(async () => {
          const [p, r] = await Promise.all([queueCounts(plain), queueCounts(rpc)]);
          return p.ready + p.unacked + r.ready + r.unacked === 0;
        }, 'the consume-only and RPC queues to be consumed and acked in full during the alarm', 20_000);
        expect(handled.plain).toBe(300);
        expect(handled.rpc).toBe(50);
        const health = status.check();
        expect(health.connection).toMatchObject({ name, connected: true });
        expect(health.connection.blocked).toBeUndefined();
        expect(health.publishConnection).toMatchObject({ name: `${name}.publish`, connected: true, blocked: expect.stringMatching(/memory/i) });
        // The failing queue's originals wait only for their copies' confirms (at most its prefetch).
        expect((await queueCounts(failing)).unacked).toBeLessThanOrEqual(10);
      });
      // After the alarm: every failure went through its retry to the dead-letter queue, every reply out.
      await waitFor(async () => (await raw.ready(`${failing}.dlq`).catch(() => 0)) === 20, '20 dead letters after the alarm', 20_000);
      expect(await queueCounts(failing)).toEqual({ ready: 0, unacked: 0 });
      expect(handled.failing).toBe(40);
      await waitFor(async () => (await raw.ready(replies)) === 50, '50 replies after the alarm', 20_000);
    } finally {
      gates.failing.open();
      gates.others.open();
      await closeAll(app);
    }
  }, 90_000);

  it('a caller with maxMessageBytes 1 MiB gets MessageTooLargeError for a 5 MiB reply', async () => {
    const queue = unique('q.bounds.big-reply');
    queues.push(queue);

    @Injectable()
    class BigReplies {
      @RabbitRPC({ queue, queueOptions: { durable: false } })
      reply() {
        return 'x'.repeat(5 * MiB);
      }
    }

    const server = await startApp({ imports: [WarrenModule.forRoot({ logger: false, connection: { name: unique('bounds-server') } })], providers: [BigReplies] });
    const caller = await startApp({
      imports: [WarrenModule.forRoot({ logger: false, registerHandlers: false, connection: { name: unique('bounds-caller') }, maxMessageBytes: MiB })],
    });
    try {
      const outcome = await caller.get(RpcClient).request('', queue, {}, { timeoutMs: 10_000 }).catch((e: unknown) => e);
      const error = typeof outcome === 'string' ? `a reply of ${outcome.length} characters` : outcome;
      expect(error).toBeInstanceOf(MessageTooLargeError);
      expect(error).toMatchObject({ code: 'MESSAGE_TOO_LARGE', size: 5 * MiB, limit: MiB });
      expect((error as Error).message).toMatch(/reply/i);
    } finally {
      await closeAll(caller, server);
    }
  });
});
