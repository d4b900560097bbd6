import { INestApplication, Injectable } from '@nestjs/common';
import * as amqplib from 'amqplib';
import type { ConsumeMessage } from 'amqplib';
import { RabbitPayload, RabbitRPC, RabbitSubscribe, RpcClient, WarrenModule } from 'nestjs-warren';
import { closeAll, startApp } from './support/app';
import { BROKER_URL, RawClient, unique, waitFor } from './support/broker';
import { createLimitedUser, LimitedUser } from './support/limited-user';
import { CapturingLogger, meterForTests } from './support/observe';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const DESTINATION = 'messaging.destination.name';

/** What an attacker who saw one correlation id guesses for the next ones: a prefix and a counter, base 36 or 16. */
function guessesAfter(seen: string, count: number): string[] {
  const match = /^(.*[^0-9a-z])?([0-9a-z]+)$/i.exec(seen);
  if (!match) return [];
  const [, prefix = '', counter] = match;
  const guesses: string[] = [];
  for (const radix of [36, 16]) {
    const n = parseInt(counter, radix);
    if (Number.isSafeInteger(n)) for (let k = 1; k <= count; k++) guesses.push(prefix + (n + k).toString(radix));
  }
  return guesses;
}

/** Issue 21, findings 4–6: RPC replies cannot be forged, servers reply only where they should, the caller's clock does not matter. */
describe('RPC security (real broker)', () => {
  const exchange = unique('sec.rpc');
  const rpcQueue = unique('q.sec.rpc');
  const allowedQueue = unique('q.sec.rpc.allowed');
  const gatedQueue = unique('q.sec.rpc.gated');
  const rawQueue = unique('q.sec.raw');
  const subscribeQueue = unique('q.sec.sub');
  const victim = unique('q.sec.victim');
  const invoked: unknown[] = [];
  const gated: Array<() => void> = [];
  const logger = new CapturingLogger();
  const meter = meterForTests();

  @Injectable()
  class Handlers {
    @RabbitRPC({ exchange, routingKey: 'echo', queue: rpcQueue, prefetch: 1 })
    echo(@RabbitPayload() payload: unknown) {
      invoked.push(payload);
      return { echo: payload };
    }

    @RabbitRPC({ queue: gatedQueue })
    gated(@RabbitPayload() payload: number) {
      return new Promise((resolve) => gated.push(() => resolve({ genuine: payload })));
    }

    @RabbitSubscribe({ exchange, routingKey: 'sub.a', queue: subscribeQueue })
    a() {}

    @RabbitSubscribe({ exchange, routingKey: 'sub.b', queue: subscribeQueue })
    b() {}
  }

  @Injectable()
  class AllowingHandlers {
    @RabbitRPC({ exchange, routingKey: 'echo.allowed', queue: allowedQueue })
    echo(@RabbitPayload() payload: unknown) {
      return { echo: payload };
    }
  }

  let app: INestApplication;
  let raw: RawClient;
  let user: LimitedUser;
  let replyQueue: string;
  const replies: ConsumeMessage[] = [];

  beforeAll(async () => {
    raw = await RawClient.connect();
    await raw.channel.assertQueue(victim, { durable: false });
    replyQueue = (await raw.channel.assertQueue('', { exclusive: true })).queue;
    await raw.channel.consume(replyQueue, (m) => m && replies.push(m), { noAck: true });
    app = await startApp({
      imports: [WarrenModule.forRoot({ exchanges: [{ name: exchange, type: 'direct', options: { autoDelete: true } }], logger })],
      providers: [Handlers],
    });
    user = await createLimitedUser({ write: `^${exchange.replace(/\./g, '\\.')}$` });
  });

  afterAll(async () => {
    for (const release of gated) release();
    await closeAll(app);
    await user?.remove();
    await raw.deleteQueues(rpcQueue, allowedQueue, gatedQueue, rawQueue, subscribeQueue, victim);
    await raw.deleteExchanges(exchange);
    await raw.close();
    meter.stop();
  });

  /** Publishes as the limited user (write on `exchange` only) and waits for the broker's confirm. */
  async function publishAsUser(routingKey: string, body: unknown, options: amqplib.Options.Publish): Promise<void> {
    const connection = await amqplib.connect(user.url);
    try {
      const channel = await connection.createConfirmChannel();
      channel.publish(exchange, routingKey, Buffer.from(JSON.stringify(body)), { contentType: 'application/json', ...options });
      await channel.waitForConfirms();
    } finally {
      await connection.close();
    }
  }

  describe('correlation ids (finding 4)', () => {
    it('are random UUIDs: 1000 requests share no prefix or counter', async () => {
      const server = await raw.connection.createChannel();
      await server.assertQueue(rawQueue, { durable: false });
      const ids: string[] = [];
      await server.consume(rawQueue, (m) => {
        if (!m) return;
        ids.push(String(m.properties.correlationId));
        server.sendToQueue(m.properties.replyTo, m.content, { correlationId: m.properties.correlationId, contentType: 'application/json' });
        server.ack(m);
      });
      try {
        const rpc = app.get(RpcClient);
        const answers = await Promise.all(Array.from({ length: 1000 }, (_, i) => rpc.request('', rawQueue, i)));
        expect(answers).toEqual(Array.from({ length: 1000 }, (_, i) => i));
        expect(ids.filter((id) => UUID.test(id))).toHaveLength(1000);
        expect(new Set(ids).size).toBe(1000);
        expect(new Set(ids.map((id) => id.slice(0, 4))).size).toBeGreaterThan(900); // no common prefix
      } finally {
        await server.close();
      }
    });

    it('an attacker who saw one request cannot answer the next ones', async () => {
      const server = await raw.connection.createChannel();
      await server.assertQueue(rawQueue, { durable: false });
      const seen: ConsumeMessage[] = [];
      await server.consume(rawQueue, (m) => m && (seen.push(m), server.ack(m)));
      const rpc = app.get(RpcClient);
      try {
        // The attacker sees one request (it can read rawQueue) and answers it.
        const first = rpc.request('', rawQueue, 'seen');
        await waitFor(() => seen.length === 1, 'the seen request');
        const { replyTo, correlationId } = seen[0].properties;
        raw.channel.publish('', replyTo, Buffer.from('"first"'), { correlationId, contentType: 'application/json' });
        await expect(first).resolves.toBe('first');
        // The next five go to a server the attacker cannot see; it forges their replies.
        const next = [1, 2, 3, 4, 5].map((n) => rpc.request('', gatedQueue, n));
        await waitFor(() => gated.length === 5, 'five requests at the server');
        for (const guess of guessesAfter(String(correlationId), 5)) {
          raw.channel.publish('', replyTo, Buffer.from('{"forged":true}'), { correlationId: guess, contentType: 'application/json' });
        }
        // A last request whose reply goes out after the forged ones: once it resolves, they have all arrived.
        const canary = rpc.request('', rawQueue, 'canary');
        await waitFor(() => seen.length === 2, 'the canary request');
        raw.channel.publish('', replyTo, Buffer.from('"canary"'), { correlationId: seen[1].properties.correlationId, contentType: 'application/json' });
        await raw.channel.waitForConfirms();
        await expect(canary).resolves.toBe('canary');
        for (const release of gated.splice(0)) release();
        await expect(Promise.all(next)).resolves.toEqual([1, 2, 3, 4, 5].map((n) => ({ genuine: n })));
      } finally {
        for (const release of gated.splice(0)) release();
        await server.close();
      }
    });
  });

  describe('reply-to (finding 5)', () => {
    it('a request whose reply_to names an ordinary queue is not run and puts nothing there', async () => {
      // The user really cannot write into the victim queue itself.
      const connection = await amqplib.connect(user.url);
      const channel = await connection.createConfirmChannel();
      const closed = new Promise<Error>((resolve) => channel.on('error', resolve));
      channel.publish('', victim, Buffer.from('"direct"'));
      expect(String((await closed).message)).toMatch(/ACCESS_REFUSED/);
      await connection.close().catch(() => undefined);

      invoked.length = 0;
      await publishAsUser('echo', { planted: true }, { replyTo: victim, correlationId: 'planted' });
      // prefetch 1: the control request is delivered only once the planted one was settled.
      raw.channel.publish(exchange, 'echo', Buffer.from('"control"'), { replyTo: replyQueue, correlationId: 'control', contentType: 'application/json' });
      await waitFor(() => replies.some((r) => r.properties.correlationId === 'control'), 'the control reply');
      expect(invoked).toEqual(['control']);
      expect(await raw.ready(victim)).toBe(0);
      await waitFor(async () => (await raw.ready(rpcQueue)) === 0, 'the request queue to be empty');
      expect(await meter.sum('warren.rpc.reply_to_refused', DESTINATION, rpcQueue)).toBe(1);
      expect(logger.matching('warn', new RegExp(`${victim.replace(/\./g, '\\.')}.*rpc\\.allowedReplyTo`))).toHaveLength(1);
    });

    it("the names answered by default cannot be given to a queue: RabbitMQ reserves 'amq.'", async () => {
      // amq.gen-…: refused as a reserved prefix; amq.rabbitmq.reply-to.…: a pseudo queue, never created
      // (3.x and 4.0 answer NOT_FOUND on the channel; 4.3 closes the whole connection, 541 INTERNAL_ERROR).
      // Each attempt on a connection of its own, so a refusal that closes the connection ends only that one.
      for (const [name, refusal] of [[`amq.gen-${victim}`, /ACCESS_REFUSED.*reserved prefix/], [`amq.rabbitmq.reply-to.${victim}`, /NOT_FOUND|INTERNAL_ERROR|Connection closed|Channel ended/]] as const) {
        const connection = await amqplib.connect(BROKER_URL);
        connection.on('error', () => undefined);
        try {
          const channel = await connection.createChannel();
          channel.on('error', () => undefined);
          await expect(channel.assertQueue(name, { durable: false })).rejects.toThrow(refusal);
        } finally {
          await connection.close().catch(() => undefined);
        }
      }
    });

    it('with rpc.allowedReplyTo naming the queue, the reply arrives there', async () => {
      const allowing = await startApp({
        imports: [WarrenModule.forRoot({ rpc: { allowedReplyTo: [victim] }, logger: false, connection: { name: 'sec-allowing' } })],
        providers: [AllowingHandlers],
      });
      try {
        await raw.drain(victim);
        await publishAsUser('echo.allowed', { asked: 1 }, { replyTo: victim, correlationId: 'allowed' });
        await waitFor(async () => (await raw.ready(victim)) === 1, 'the reply in the named queue');
        const [reply] = await raw.drain(victim);
        expect(reply.properties.correlationId).toBe('allowed');
        expect(JSON.parse(reply.content.toString())).toEqual({ echo: { asked: 1 } });
      } finally {
        await closeAll(allowing);
      }
    });

    it('a subscribe-only queue never replies, not even when no handler matches', async () => {
      const before = replies.length;
      raw.channel.publish('', subscribeQueue, Buffer.from('{}'), { replyTo: replyQueue, correlationId: 'no-handler', contentType: 'application/json' });
      await waitFor(
        async () => replies.length > before || (await raw.ready(`${subscribeQueue}.dlq`)) === 1,
        'the message parked (or answered)',
      );
      expect(replies.slice(before)).toEqual([]);
      expect(await raw.ready(`${subscribeQueue}.dlq`)).toBe(1);
    });
  });

  describe('deadlines (finding 6)', () => {
    const BEHIND_MS = 2_500;

    it("a caller whose clock is 2.5 s behind, with a 2 s timeout, gets 10 answers of 10", async () => {
      const rpc = app.get(RpcClient);
      const realNow = Date.now.bind(Date);
      const spy = jest.spyOn(Date, 'now').mockImplementation(() => realNow() - BEHIND_MS);
      let calls: Array<Promise<unknown>> = [];
      try {
        // The requests are sent within request(): only the caller's clock is behind.
        calls = Array.from({ length: 10 }, (_, i) => rpc.request(exchange, 'echo', `skewed-${i}`, { timeoutMs: 2_000 }).catch((e: Error) => e.name));
      } finally {
        spy.mockRestore();
      }
      expect(await Promise.all(calls)).toEqual(Array.from({ length: 10 }, (_, i) => ({ echo: `skewed-${i}` })));
    });

    it('an older Warren caller (absolute warren-deadline, expiration) 2.5 s behind is answered too', async () => {
      const before = replies.length;
      for (let i = 0; i < 10; i++) {
        raw.channel.publish(exchange, 'echo', Buffer.from(`"old-${i}"`), {
          replyTo: replyQueue,
          correlationId: `old-${i}`,
          contentType: 'application/json',
          expiration: '2000',
          headers: { 'warren-deadline': Date.now() - BEHIND_MS + 2_000 },
        });
      }
      await waitFor(() => replies.length - before === 10, 'ten replies', 5_000);
    });

    it('requests skipped for a passed absolute deadline are counted and logged at warn, once per 10 s', async () => {
      const before = replies.length;
      for (let i = 0; i < 3; i++) {
        raw.channel.publish(exchange, 'echo', Buffer.from('"stale"'), {
          replyTo: replyQueue,
          correlationId: `stale-${i}`,
          contentType: 'application/json',
          headers: { 'warren-deadline': Date.now() - 1_000 },
        });
      }
      raw.channel.publish(exchange, 'echo', Buffer.from('"fresh"'), { replyTo: replyQueue, correlationId: 'fresh', contentType: 'application/json' });
      await waitFor(() => replies.some((r) => r.properties.correlationId === 'fresh'), 'the fresh reply');
      expect(replies.slice(before).map((r) => r.properties.correlationId)).toEqual(['fresh']);
      expect(await meter.sum('warren.rpc.expired', DESTINATION, rpcQueue)).toBe(3);
      expect(logger.matching('warn', new RegExp(`Skipped .*${rpcQueue.replace(/\./g, '\\.')}`))).toHaveLength(1);
    });
  });
});
