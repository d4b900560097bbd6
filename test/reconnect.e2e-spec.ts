import { INestApplication, Injectable } from '@nestjs/common';
import { MessageProducer, RabbitRPC, RabbitSubscribe, RpcClient, WarrenConsumers, WarrenModule } from 'nestjs-warren';
import { closeAll, startApp } from './support/app';
import { RawClient, unique, waitFor } from './support/broker';
import { closeConnections, restoreBroker } from './support/chaos';

/** The connection is force-closed under a running app: consumers, topology and publishing come back. */
describe('reconnect after a forced close (real broker)', () => {
  const name = unique('reconnect-app');
  const queue = unique('q.reconnect');
  const rpcQueue = unique('q.reconnect.rpc');
  const slowQueue = unique('q.reconnect.slow');
  const seen: number[] = [];
  const slowRuns: number[] = [];
  let releaseSlow: () => void = () => undefined;

  @Injectable()
  class Handlers {
    @RabbitSubscribe({ queue })
    onMessage(payload: { n: number }) {
      seen.push(payload.n);
    }

    /** The first run of each message waits until released, so it can be caught mid-flight. */
    @RabbitSubscribe({ queue: slowQueue, retry: false })
    async onSlow(payload: { n: number }) {
      slowRuns.push(payload.n);
      if (slowRuns.filter((n) => n === payload.n).length === 1) await new Promise<void>((resolve) => (releaseSlow = resolve));
    }

    @RabbitRPC({ queue: rpcQueue })
    echo(payload: unknown) {
      return payload;
    }
  }

  let app: INestApplication;
  let raw: RawClient;

  beforeAll(async () => {
    app = await startApp({
      imports: [WarrenModule.forRoot({ connection: { name, reconnectDelayMs: 200 } })],
      providers: [Handlers],
    });
  });

  afterAll(async () => {
    await restoreBroker();
    await closeAll(app);
    raw = await RawClient.connect();
    await raw.deleteQueues(queue, rpcQueue, slowQueue, `${slowQueue}.dlq`);
    await raw.close();
  });

  it('consumes, publishes and answers RPCs again after its connection was closed by the broker', async () => {
    const producer = app.get(MessageProducer);
    await producer.publish('', queue, { n: 1 });
    await waitFor(() => seen.includes(1), 'first message');

    expect(await closeConnections(name)).toBe(2); // the connection and its publishing connection
    // Published while the connection is down or coming back: buffered, then confirmed.
    await producer.publish('', queue, { n: 2 });
    await waitFor(() => seen.includes(2), 'message after reconnect');
    await expect(app.get(RpcClient).request('', rpcQueue, { ok: true })).resolves.toEqual({ ok: true });

    raw = await RawClient.connect();
    try {
      const { consumerCount } = await raw.channel.checkQueue(queue);
      expect(consumerCount).toBe(1); // re-subscribed once: no leaked consumer
    } finally {
      await raw.close();
    }
  });

  it('never acks a delivery of a dead channel on the new one: the message is redelivered and the channel stays healthy', async () => {
    const producer = app.get(MessageProducer);
    await producer.publish('', slowQueue, { n: 7 });
    await waitFor(() => slowRuns.includes(7), 'the slow handler to start');
    expect(await closeConnections(name)).toBe(2); // the connection and its publishing connection
    await waitFor(() => slowRuns.filter((n) => n === 7).length === 2, 'the redelivery after reconnect');
    releaseSlow(); // the first run finishes now: its ack must not go to the new channel
    await producer.publish('', slowQueue, { n: 8 });
    await waitFor(() => slowRuns.includes(8), 'a later message');
    releaseSlow();
    raw = await RawClient.connect();
    try {
      await waitFor(async () => (await raw.ready(slowQueue)) === 0, 'an empty queue');
      expect((await raw.channel.checkQueue(slowQueue)).consumerCount).toBe(1);
      expect(await raw.ready(`${slowQueue}.dlq`)).toBe(0);
    } finally {
      await raw.close();
    }
  });

  it('keeps a paused consumer paused across a reconnect, and resume delivers what waited', async () => {
    const consumers = app.get(WarrenConsumers);
    await consumers.pause(queue);
    expect(consumers.list().find((c) => c.queue === queue)?.paused).toBe(true);
    await app.get(MessageProducer).publish('', queue, { n: 100 });
    expect(await closeConnections(name)).toBe(2); // the connection and its publishing connection
    // Once reconnected (the RPC consumer answers again), the paused one must still not consume.
    await waitFor(async () => (await app.get(RpcClient).request('', rpcQueue, 1, { timeoutMs: 1_000 }).catch(() => 0)) === 1, 'reconnected', 15_000);
    raw = await RawClient.connect();
    try {
      expect((await raw.channel.checkQueue(queue)).consumerCount).toBe(0);
      expect(await raw.ready(queue)).toBe(1);
      expect(seen).not.toContain(100);
      await consumers.resume(queue);
      await waitFor(() => seen.includes(100), 'the waiting message after resume');
      expect((await raw.channel.checkQueue(queue)).consumerCount).toBe(1);
    } finally {
      await raw.close();
    }
    await expect(consumers.pause('no-such-queue')).rejects.toThrow("No Warren consumer on queue 'no-such-queue'");
  });

  it('re-declares and re-subscribes when its queue is deleted under it', async () => {
    raw = await RawClient.connect();
    try {
      await raw.channel.deleteQueue(queue);
      await waitFor(async () => (await raw.queueExists(queue)) && (await raw.channel.checkQueue(queue)).consumerCount === 1, 'queue back with a consumer');
      await app.get(MessageProducer).publish('', queue, { n: 3 });
      await waitFor(() => seen.includes(3), 'message after re-subscribe');
    } finally {
      await raw.close();
    }
  });
});
