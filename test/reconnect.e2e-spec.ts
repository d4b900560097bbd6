import { INestApplication, Injectable } from '@nestjs/common';
import { MessageProducer, RabbitSubscribe, RpcClient, WarrenModule, RabbitRPC } from 'nestjs-warren';
import { closeAll, startApp } from './support/app';
import { RawClient, unique, waitFor } from './support/broker';
import { closeConnections, restoreBroker } from './support/chaos';

/** The connection is force-closed under a running app: consumers, topology and publishing come back. */
describe('reconnect after a forced close (real broker)', () => {
  const name = unique('reconnect-app');
  const queue = unique('q.reconnect');
  const rpcQueue = unique('q.reconnect.rpc');
  const seen: number[] = [];

  @Injectable()
  class Handlers {
    @RabbitSubscribe({ queue })
    onMessage(payload: { n: number }) {
      seen.push(payload.n);
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
    await raw.deleteQueues(queue, rpcQueue);
    await raw.close();
  });

  it('consumes, publishes and answers RPCs again after its connection was closed by the broker', async () => {
    const producer = app.get(MessageProducer);
    await producer.publish('', queue, { n: 1 });
    await waitFor(() => seen.includes(1), 'first message');

    expect(await closeConnections(name)).toBe(1);
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
