import { INestApplication, Injectable } from '@nestjs/common';
import { MessageProducer, RabbitSubscribe, RpcClient, WarrenConsumers, WarrenModule, WarrenStatus, type WarrenEventMap, type WarrenEventName } from 'nestjs-warren';
import { WarrenServer } from 'nestjs-warren/microservices';
import { closeAll, startApp } from './support/app';
import { BROKER_URL, RawClient, unique, waitFor } from './support/broker';
import { TcpProxy } from './support/tcp-proxy';

type Recorded = { event: WarrenEventName; at: number } & Partial<WarrenEventMap[WarrenEventName]> & Record<string, unknown>;

/** Records every event of `status`, in order, with the time it came. */
function record(status: WarrenStatus): { events: Recorded[]; stop: () => void } {
  const events: Recorded[] = [];
  const names: WarrenEventName[] = ['connected', 'disconnected', 'reconnect-failed', 'blocked', 'unblocked', 'gave-up', 'consumer-paused', 'consumer-resumed'];
  const offs = names.map((event) => status.on(event, (payload: object) => events.push({ event, at: Date.now(), ...payload })));
  return { events, stop: () => offs.forEach((off) => off()) };
}

/** A bounded wait for something that must NOT happen (there is no condition to wait on). */
const quietFor = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** An app connected through a TCP proxy, so the test can cut it off without touching the shared broker. */
describe('connection.reconnect: giving up (real broker, through a proxy)', () => {
  const name = unique('give-up');
  let proxy: TcpProxy;
  let app: INestApplication;

  beforeAll(async () => {
    proxy = await TcpProxy.start(BROKER_URL);
    app = await startApp({
      imports: [
        WarrenModule.forRoot({
          uri: proxy.urlFor(BROKER_URL),
          connection: { name, reconnectDelayMs: 100, reconnect: { maxAttempts: 3, maxDelayMs: 400 } },
          publish: { timeoutMs: 20_000 },
          rpc: { timeoutMs: 20_000 },
        }),
      ],
    });
  });

  afterAll(async () => {
    await closeAll(app);
    await proxy.stop();
  });

  it('a proxy stopped under a connected app makes it give up after maxAttempts and emit gave-up', async () => {
    const status = app.get(WarrenStatus);
    const producer = app.get(MessageProducer);
    const rpc = app.get(RpcClient);
    const { events, stop } = record(status);
    expect(status.check().up).toBe(true);

    // Every attempt from now on is accepted and dropped at once: counted at the proxy.
    proxy.mode = 'drop';
    proxy.accepted = 0;
    proxy.cut();
    await waitFor(() => events.filter((e) => e.event === 'disconnected').length === 2, 'both connections to notice');
    // Waiting for the publishing connection: buffered, and never confirmed.
    const buffered = producer.publish('', unique('q.nowhere'), { n: 1 }).then(
      () => 'confirmed',
      (error: { code?: string }) => error.code,
    );
    const pendingRequest = rpc.request('', unique('q.nobody'), { n: 1 }).then(
      () => 'answered',
      (error: { code?: string }) => error.code,
    );

    await waitFor(() => events.some((e) => e.event === 'gave-up'), 'gave-up', 10_000);
    const gaveUp = events.find((e) => e.event === 'gave-up')!;
    const quitter = gaveUp.connection as string;
    expect([name, `${name}.publish`]).toContain(quitter);
    expect(gaveUp.attempts).toBe(3);
    expect(typeof gaveUp.reason).toBe('string');

    // That connection: disconnected, then exactly 3 failed attempts, the last with no next one.
    const mine = events.filter((e) => e.connection === quitter);
    expect(mine.map((e) => e.event)).toEqual(['disconnected', 'reconnect-failed', 'reconnect-failed', 'reconnect-failed', 'gave-up']);
    const failures = mine.filter((e) => e.event === 'reconnect-failed');
    expect(failures.map((e) => e.attempt)).toEqual([1, 2, 3]);
    expect(failures.map((e) => e.nextDelayMs === undefined)).toEqual([false, false, true]);
    // Backoff: 100 → 200 → 400 ms nominal, jitter takes up to a quarter off.
    expect(failures[0].nextDelayMs).toBeGreaterThanOrEqual(150);
    expect(failures[0].nextDelayMs).toBeLessThanOrEqual(200);
    expect(failures[1].nextDelayMs).toBeGreaterThanOrEqual(300);
    expect(failures[1].nextDelayMs).toBeLessThanOrEqual(400);
    expect(failures[1].at - failures[0].at).toBeGreaterThanOrEqual(140);
    expect(failures[2].at - failures[1].at).toBeGreaterThanOrEqual(290);

    // The other connection stopped too, having made at most as many attempts.
    const other = events.filter((e) => e.connection !== quitter && e.event === 'reconnect-failed');
    expect(other.length).toBeLessThanOrEqual(3);
    expect(events.filter((e) => e.event === 'gave-up')).toHaveLength(1);
    // Every attempt reached the proxy, and every one the proxy saw was reported.
    expect(proxy.accepted).toBe(failures.length + other.length);

    const health = status.check();
    expect(health.up).toBe(false);
    expect(health.gaveUp).toMatchObject({ connection: quitter, attempts: 3, reason: gaveUp.reason });
    expect(health.problems.join('\n')).toContain('gave up reconnecting');

    // What waited is failed, and new calls fail at once.
    await expect(buffered).resolves.toBe('CONNECTION_GAVE_UP');
    await expect(pendingRequest).resolves.toBe('CONNECTION_GAVE_UP');
    const started = performance.now();
    await expect(producer.publish('', 'anything', { n: 2 })).rejects.toMatchObject({ code: 'CONNECTION_GAVE_UP', connection: quitter, attempts: 3 });
    await expect(rpc.request('', 'anything', { n: 2 })).rejects.toMatchObject({ code: 'CONNECTION_GAVE_UP' });
    expect(performance.now() - started).toBeLessThan(100);

    // It never tries again, even though the broker is reachable now.
    proxy.mode = 'pipe';
    const seen = proxy.accepted;
    await quietFor(1_500); // well past the longest pause (400 ms)
    expect(proxy.accepted).toBe(seen);
    expect(events.filter((e) => e.event === 'connected')).toHaveLength(0);
    stop();
  });
});

describe('Warren events (real broker, through a proxy)', () => {
  const name = unique('events');
  const queue = unique('q.events');
  let proxy: TcpProxy;
  let app: INestApplication;

  @Injectable()
  class Handler {
    @RabbitSubscribe({ queue })
    handle() {
      return undefined;
    }
  }

  beforeAll(async () => {
    proxy = await TcpProxy.start(BROKER_URL);
    app = await startApp({
      imports: [WarrenModule.forRoot({ uri: proxy.urlFor(BROKER_URL), connection: { name, reconnectDelayMs: 100 } })],
      providers: [Handler],
    });
  });

  afterAll(async () => {
    await closeAll(app);
    await proxy.stop();
    const raw = await RawClient.connect();
    await raw.deleteQueues(queue, `${queue}.dlq`);
    await raw.close();
  });

  it('connected / disconnected / connected across a proxy restart, without maxAttempts', async () => {
    const status = app.get(WarrenStatus);
    const { events, stop } = record(status);
    const unsubscribed: unknown[] = [];
    const off = status.on('disconnected', (event) => unsubscribed.push(event));
    off();

    await proxy.stop();
    await waitFor(() => events.filter((e) => e.event === 'disconnected').length === 2, 'both connections to drop');
    await proxy.listen();
    await waitFor(() => events.filter((e) => e.event === 'connected').length === 2, 'both connections back');
    await waitFor(() => status.check().up, 'healthy again');

    for (const connection of [name, `${name}.publish`]) {
      const own = events.filter((e) => e.connection === connection && (e.event === 'connected' || e.event === 'disconnected'));
      expect(own.map((e) => e.event)).toEqual(['disconnected', 'connected']);
      expect(own[1].node).toContain(`:${proxy.port}`);
      expect(own[1].node).not.toContain('guest:guest');
    }
    expect(events.some((e) => e.event === 'gave-up')).toBe(false);
    expect(unsubscribed).toHaveLength(0);
    stop();
  });

  it("consumer-paused / consumer-resumed with cause 'user' from WarrenConsumers", async () => {
    const status = app.get(WarrenStatus);
    const consumers = app.get(WarrenConsumers);
    const { events, stop } = record(status);
    await consumers.pause(queue);
    await consumers.pause(queue); // already paused: no second event
    await consumers.resume(queue);
    expect(events.map(({ event, queue: q, cause }) => ({ event, queue: q, cause }))).toEqual([
      { event: 'consumer-paused', queue, cause: 'user' },
      { event: 'consumer-resumed', queue, cause: 'user' },
    ]);
    stop();
  });

  it('a listener that throws does not stop Warren or the other listeners', async () => {
    const status = app.get(WarrenStatus);
    const seen: string[] = [];
    const offs = [
      status.on('consumer-paused', () => {
        throw new Error('listener bug');
      }),
      status.on('consumer-paused', (event) => seen.push(event.queue)),
    ];
    await app.get(WarrenConsumers).pause(queue);
    await app.get(WarrenConsumers).resume(queue);
    expect(seen).toEqual([queue]);
    offs.forEach((off) => off());
  });
});

describe('WarrenServer.on (real broker, through a proxy)', () => {
  it('subscribes before listen, and gets the events once listening', async () => {
    const proxy = await TcpProxy.start(BROKER_URL);
    const server = new WarrenServer({ uri: proxy.urlFor(BROKER_URL), connection: { name: unique('server-events'), reconnectDelayMs: 100 }, logger: false });
    const seen: Array<keyof WarrenEventMap> = [];
    try {
      server.on('disconnected', () => seen.push('disconnected'));
      server.on('connected', () => seen.push('connected'));
      await new Promise<void>((resolve, reject) => server.listen((error) => (error ? reject(error as Error) : resolve())));
      proxy.cut();
      await waitFor(() => seen.filter((e) => e === 'connected').length === 2, 'both connections back');
      expect(seen.filter((e) => e === 'disconnected')).toHaveLength(2);
    } finally {
      await server.close();
      await proxy.stop();
    }
  });
});
