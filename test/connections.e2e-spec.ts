import { INestApplication, Injectable } from '@nestjs/common';
import { randomBytes } from 'crypto';
import { InjectProducer, InjectRpcClient, MessageProducer, RabbitRPC, RabbitSubscribe, RpcClient, WarrenModule } from 'nestjs-warren';
import { AmqpConnectionManager, RabbitMQModule } from 'nestjs-warren/golevelup';
import { closeAll, startApp } from './support/app';
import { BROKER_URL, RawClient, unique, waitFor } from './support/broker';
import { rabbitmqctl } from './support/target';

/** A vhost of its own for the second connection, on the target broker; removed (with everything in it) afterwards. */
async function createVhost(): Promise<{ vhost: string; uri: string; remove(): Promise<unknown> }> {
  const vhost = `warren-test-${randomBytes(4).toString('hex')}`;
  await rabbitmqctl('add_vhost', vhost);
  await rabbitmqctl('set_permissions', '-p', vhost, 'guest', '.*', '.*', '.*');
  const url = new URL(BROKER_URL);
  url.pathname = `/${vhost}`;
  return { vhost, uri: url.toString(), remove: () => rabbitmqctl('delete_vhost', vhost) };
}

/** Several connections in one application: Warren's own API and golevelup's `name` / `connection`. */
describe('several named connections in one app (real broker)', () => {
  const queue = unique('q.conn');
  const received: Record<string, unknown[]> = { default: [], analytics: [] };
  let second: Awaited<ReturnType<typeof createVhost>>;

  @Injectable()
  class Clients {
    constructor(
      readonly producer: MessageProducer,
      readonly rpc: RpcClient,
      @InjectProducer('analytics') readonly analyticsProducer: MessageProducer,
      @InjectRpcClient('analytics') readonly analyticsRpc: RpcClient,
    ) {}
  }

  @Injectable()
  class Handlers {
    @RabbitSubscribe({ queue, queueOptions: { durable: false } })
    onDefault(payload: unknown) {
      received.default.push(payload);
    }

    // The same queue name, in the other vhost, through the other connection.
    @RabbitSubscribe({ queue, queueOptions: { durable: false }, connection: 'analytics' })
    onAnalytics(payload: unknown) {
      received.analytics.push(payload);
    }

    @RabbitRPC({ queue: `${queue}.rpc`, queueOptions: { durable: false }, connection: 'analytics' })
    whereAmI() {
      return { vhost: second.vhost };
    }
  }

  beforeAll(async () => {
    second = await createVhost();
  });

  afterAll(async () => {
    await second.remove();
    const raw = await RawClient.connect();
    await raw.deleteQueues(queue, `${queue}.rpc`);
    await raw.close();
  });

  it('WarrenModule: each named connection has its own producer, RPC client and consumers (a vhost each)', async () => {
    const app = await startApp({
      imports: [WarrenModule.forRoot({}), WarrenModule.forRoot({ name: 'analytics', uri: second.uri, connection: { name: 'warren-analytics' } })],
      providers: [Handlers, Clients],
    });
    try {
      const handlers = app.get(Clients);
      expect(handlers.analyticsProducer).not.toBe(handlers.producer);
      await handlers.producer.publish('', queue, { to: 'default' });
      await handlers.analyticsProducer.publish('', queue, { to: 'analytics' });
      await waitFor(() => received.default.length === 1 && received.analytics.length === 1, 'one message through each connection');
      expect(received).toEqual({ default: [{ to: 'default' }], analytics: [{ to: 'analytics' }] });
      await expect(handlers.analyticsRpc.request('', `${queue}.rpc`, {})).resolves.toEqual({ vhost: second.vhost });
      // The RPC queue exists only in the analytics vhost: the default connection cannot reach it.
      await expect(handlers.rpc.request('', `${queue}.rpc`, {})).rejects.toMatchObject({ code: 'NO_ROUTE' });
    } finally {
      await closeAll(app);
      received.default.length = 0;
      received.analytics.length = 0;
    }
  });

  it("golevelup: RabbitMQModule's `name`, handlers' `connection`, AmqpConnectionManager.getConnection(name)", async () => {
    const app: INestApplication = await startApp({
      imports: [RabbitMQModule.forRoot({ uri: BROKER_URL }), RabbitMQModule.forRootAsync({ useFactory: () => ({ name: 'analytics', uri: second.uri }) })],
      providers: [Handlers],
    });
    try {
      const manager = app.get(AmqpConnectionManager);
      expect(manager.getConnections().map((c) => c.name).sort()).toEqual(['analytics', 'default']);
      await manager.getConnection('analytics')!.publish('', queue, { via: 'manager' });
      await manager.getConnection('default')!.publish('', queue, { via: 'default' });
      await waitFor(() => received.default.length === 1 && received.analytics.length === 1, 'one message through each connection');
      expect(received).toEqual({ default: [{ via: 'default' }], analytics: [{ via: 'manager' }] });
      await expect(manager.getConnection('analytics')!.request({ exchange: '', routingKey: `${queue}.rpc` })).resolves.toEqual({ vhost: second.vhost });
    } finally {
      await closeAll(app);
    }
  });
});
