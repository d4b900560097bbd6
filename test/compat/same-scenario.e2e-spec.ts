import { INestApplication, Injectable } from '@nestjs/common';
import { closeAll } from '../support/app';
import { BROKER_URL, RawClient, unique, waitFor } from '../support/broker';
import { GolevelupConnection, LIBRARIES, Library, LibraryName, startGolevelupApp } from '../support/golevelup-apps';

/**
 * One golevelup application scenario, run on @golevelup/nestjs-rabbitmq 9 itself and on
 * `nestjs-warren/golevelup`: the same code (decorated with each library's decorators), the same
 * expected outcomes. What passes on golevelup and fails on Warren is a compatibility bug.
 */
describe.each<LibraryName>(['golevelup', 'warren'])('the same golevelup scenario on %s (real broker)', (name) => {
  const library: Library = LIBRARIES[name];
  const exchange = unique(`compat.same.${name}`);
  const events = `${exchange}.events`;
  const rpcQueue = `${exchange}.rpc`;
  const silent = `${exchange}.silent`;
  const runtime = `${exchange}.runtime`;
  const seen: Array<{ payload: unknown; id: unknown; header: unknown }> = [];
  let app: INestApplication;
  let amqp: GolevelupConnection;
  let raw: RawClient;

  @Injectable()
  class Orders {
    @library.RabbitSubscribe({ exchange, routingKey: 'order.*', queue: events, queueOptions: { durable: false } })
    created(@library.RabbitPayload() payload: unknown, @library.RabbitPayload('id') id: unknown, @library.RabbitHeader('tenant') header: unknown) {
      seen.push({ payload, id, header });
    }

    @library.RabbitRPC({ exchange, routingKey: 'math.sum', queue: rpcQueue, queueOptions: { durable: false } })
    sum(@library.RabbitPayload() { a, b }: { a: number; b: number }) {
      return { sum: a + b };
    }
  }

  beforeAll(async () => {
    raw = await RawClient.connect();
    app = await startGolevelupApp(library, { uri: BROKER_URL, exchanges: [{ name: exchange, type: 'topic', options: { durable: false } }], defaultRpcTimeout: 5_000 }, [Orders]);
    amqp = app.get(library.AmqpConnection);
    // Bound but never consumed: a request to it can only time out.
    await raw.channel.assertQueue(silent, { durable: false });
    await raw.channel.bindQueue(silent, exchange, 'rpc.silent');
  });

  afterAll(async () => {
    await closeAll(app);
    await raw.deleteQueues(events, rpcQueue, silent, runtime);
    await raw.deleteExchanges(exchange);
    await raw.close();
  });

  it('the module connects; AmqpConnectionManager finds the default connection', () => {
    expect(amqp.managedConnection.isConnected()).toBe(true);
    expect(app.get(library.AmqpConnectionManager).getConnection('default')).toBe(amqp);
  });

  it('a published event reaches the pattern-bound handler, with payload, a payload property and a header', async () => {
    await expect(amqp.publish(exchange, 'order.created', { id: 'o-1', amount: 5 }, { headers: { tenant: 'acme' } })).resolves.toBe(true);
    await waitFor(() => seen.length === 1, 'the event');
    expect(seen).toEqual([{ payload: { id: 'o-1', amount: 5 }, id: 'o-1', header: 'acme' }]);
  });

  it('request() gets the RPC handler’s result', async () => {
    await expect(amqp.request({ exchange, routingKey: 'math.sum', payload: { a: 2, b: 3 } })).resolves.toEqual({ sum: 5 });
  });

  it('request() with nobody answering rejects with RpcTimeoutError carrying its timeout', async () => {
    const error = (await amqp.request({ exchange, routingKey: 'rpc.silent', payload: {}, timeout: 300 }).catch((e: unknown) => e)) as Error & { timeout?: number };
    expect(error.name).toBe('RpcTimeoutError');
    expect(error.timeout).toBe(300);
  });

  it('channel declares and inspects topology; createSubscriber consumes at run time', async () => {
    await amqp.channel.assertQueue(runtime, { durable: false });
    await amqp.publish('', runtime, { n: 1 });
    await waitFor(async () => (await amqp.channel.checkQueue(runtime)).messageCount === 1, 'the waiting message');
    const got: unknown[] = [];
    const { consumerTag } = await amqp.createSubscriber((payload) => void got.push(payload), { queue: runtime, queueOptions: { durable: false } }, 'runtime');
    expect(typeof consumerTag).toBe('string');
    await waitFor(() => got.length === 1, 'the run-time subscriber');
    expect(got).toEqual([{ n: 1 }]);
  });
});
