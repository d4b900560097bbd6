import { INestApplication, Injectable } from '@nestjs/common';
import { EmitFailure, MessageProducer, PublishError, RabbitRPC, RabbitSubscribe, RpcClient, WarrenClosedError, WarrenModule } from 'nestjs-warren';
import { closeAll, startApp } from './support/app';
import { RawClient, unique, waitFor } from './support/broker';

/** Readiness at init, what shutdown does to callers, and emit's failure reporting. */
describe('lifecycle (real broker)', () => {
  const exchange = unique('life');
  const eventsQueue = unique('q.life.events');
  const slowQueue = unique('q.life.slow');
  const seen: string[] = [];

  @Injectable()
  class Server {
    @RabbitSubscribe({ exchange, routingKey: 'event.*', queue: eventsQueue })
    onEvent(payload: { id: string }) {
      seen.push(payload.id);
    }

    @RabbitRPC({ queue: slowQueue })
    async slow() {
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      return 'done';
    }
  }

  let server: INestApplication;
  let raw: RawClient;

  beforeAll(async () => {
    raw = await RawClient.connect();
    server = await startApp({
      imports: [WarrenModule.forRoot({ exchanges: [{ name: exchange, options: { autoDelete: true } }] })],
      providers: [Server],
    });
  });

  afterAll(async () => {
    await closeAll(server);
    await raw.deleteQueues(eventsQueue, slowQueue);
    await raw.close();
  });

  it('has every consumer attached when app.init() resolves', async () => {
    const events = await raw.channel.checkQueue(eventsQueue);
    const slow = await raw.channel.checkQueue(slowQueue);
    expect(events.consumerCount).toBe(1);
    expect(slow.consumerCount).toBe(1);
  });

  it('rejects pending RPC requests with WarrenClosedError when the caller shuts down', async () => {
    const client = await startApp({ imports: [WarrenModule.forRoot({ shutdown: { drainTimeoutMs: 200 } })] });
    const pending = client.get(RpcClient).request('', slowQueue, {}).catch((e: unknown) => e);
    await new Promise((resolve) => setImmediate(resolve));
    await client.close();
    const error = await pending;
    expect(error).toBeInstanceOf(WarrenClosedError);
    await expect(client.get(RpcClient).request('', slowQueue, {})).rejects.toBeInstanceOf(WarrenClosedError);
  });

  it('confirms everything published before shutdown, and refuses publishes after it', async () => {
    const client = await startApp({ imports: [WarrenModule.forRoot()] });
    const producer = client.get(MessageProducer);
    const ids = Array.from({ length: 200 }, (_, i) => `flush-${i}`);
    const publishes = ids.map((id) => producer.publish(exchange, 'event.flushed', { id }));
    await client.close();
    await expect(Promise.all(publishes)).resolves.toHaveLength(200);
    await waitFor(() => ids.every((id) => seen.includes(id)), 'all 200 flushed events');
    await expect(producer.publish(exchange, 'event.late', { id: 'late' })).rejects.toBeInstanceOf(WarrenClosedError);
  });

  it('stops consuming when shutdown begins: the broker sees the consumer cancelled', async () => {
    const queue = unique('q.life.cancel');
    @Injectable()
    class Short {
      @RabbitSubscribe({ queue })
      handle() {}
    }
    const app = await startApp({ imports: [WarrenModule.forRoot()], providers: [Short] });
    expect((await raw.channel.checkQueue(queue)).consumerCount).toBe(1);
    await app.close();
    expect((await raw.channel.checkQueue(queue)).consumerCount).toBe(0);
    await raw.deleteQueues(queue);
  });

  it('emit returns at once and reports a failed delivery through onEmitError', async () => {
    const producer = server.get(MessageProducer);
    const failures: EmitFailure[] = [];
    const unsubscribe = producer.onEmitError((failure) => failures.push(failure));
    try {
      expect(producer.emit(exchange, 'event.emitted', { id: 'emitted' })).toBeUndefined();
      await waitFor(() => seen.includes('emitted'), 'emitted event');
      const missing = unique('no-such-exchange');
      producer.emit(missing, 'x', { id: 'lost' });
      await waitFor(() => failures.length === 1, 'emit failure report');
      expect(failures[0].exchange).toBe(missing);
      expect(failures[0].error).toBeInstanceOf(PublishError);
      expect(failures[0].error.message).toContain(`Exchange '${missing}' does not exist`);
      // The producer's channel came back: publishing still works.
      await producer.publish(exchange, 'event.after', { id: 'after-failure' });
      await waitFor(() => seen.includes('after-failure'), 'event after the failure');
    } finally {
      unsubscribe();
    }
  });
});
