import { INestApplication, Injectable, LoggerService, Module } from '@nestjs/common';
// A golevelup application's module wiring, with only the import path changed.
import { AmqpConnection, AmqpConnectionManager, RabbitMQConfig, RabbitMQModule, RabbitSubscribe } from 'nestjs-warren/golevelup';
import { UnroutableMessageError } from 'nestjs-warren';
import { closeAll, startApp } from '../support/app';
import { BROKER_URL, RawClient, unique, waitFor } from '../support/broker';
import { consumerPrefetch } from '../support/chaos';

function recordingLogger() {
  const warnings: string[] = [];
  const logger: LoggerService = { log: () => undefined, error: () => undefined, warn: (m: unknown) => warnings.push(String(m)), debug: () => undefined, verbose: () => undefined };
  return { logger, warnings };
}

/** golevelup's module options, connection object and AmqpConnection API, on Warren. */
describe('golevelup compatibility: module and AmqpConnection (real broker)', () => {
  const exchange = unique('compat.m');
  const source = unique('compat.m.source');
  const moduleQueue = unique('q.compat.m.declared');
  const slowQueue = unique('q.compat.m.slow');
  const runtimeQueue = unique('q.compat.m.runtime');
  const received: unknown[] = [];
  let raw: RawClient;
  let app: INestApplication;
  const { logger, warnings } = recordingLogger();

  @Injectable()
  class Slow {
    @RabbitSubscribe({ exchange, routingKey: 'slow', queue: slowQueue, queueOptions: { channel: 'one-at-a-time' } })
    handle(payload: unknown) {
      received.push(payload);
    }
  }

  const config = (): RabbitMQConfig => ({
    // amqplib's connect options instead of a URI string.
    uri: { protocol: 'amqp', hostname: new URL(BROKER_URL).hostname, port: Number(new URL(BROKER_URL).port || 5672), username: 'guest', password: 'guest' },
    exchanges: [
      { name: exchange, type: 'topic', options: { autoDelete: true } },
      { name: source, type: 'fanout', options: { autoDelete: true } },
    ],
    exchangeBindings: [{ destination: exchange, source, pattern: '' }],
    queues: [{ name: moduleQueue, options: { durable: false }, exchange, routingKey: 'declared.#' }],
    channels: { 'one-at-a-time': { prefetchCount: 1 }, main: { prefetchCount: 20, default: true } },
    connectionInitOptions: { wait: false, timeout: 5_000 },
    logger,
  });

  beforeAll(async () => {
    raw = await RawClient.connect();
    app = await startApp({ imports: [RabbitMQModule.forRoot(config())], providers: [Slow] });
  });

  afterAll(async () => {
    await closeAll(app);
    await raw.deleteQueues(moduleQueue, slowQueue, runtimeQueue);
    await raw.deleteExchanges(exchange, source);
    await raw.close();
  });

  it('connects with a uri given as connect options; AmqpConnection and the manager are injectable', () => {
    const connection = app.get(AmqpConnection);
    expect(connection.connected).toBe(true);
    expect(connection.managedConnection.isConnected()).toBe(true);
    expect(app.get(AmqpConnectionManager).getConnection('default')).toBe(connection);
    expect(app.get(AmqpConnectionManager).getConnection('other')).toBeUndefined();
  });

  it('declares module queues and exchange bindings at start', async () => {
    await app.get(AmqpConnection).publish(source, 'declared.x', { via: 'binding' });
    await waitFor(async () => (await raw.ready(moduleQueue)) === 1, 'the message routed source → exchange → queue');
    const [message] = await raw.drain(moduleQueue);
    expect(JSON.parse(message.content.toString())).toEqual({ via: 'binding' });
  });

  it("gives a handler the prefetch of the channel it names", async () => {
    expect(await consumerPrefetch(slowQueue)).toEqual([1]);
    await app.get(AmqpConnection).publish(exchange, 'slow', { n: 1 });
    await waitFor(() => received.length === 1, 'the slow handler');
  });

  it('names unsupported options in a warning at start', () => {
    expect(warnings.some((w) => w.includes("'connectionInitOptions.wait'"))).toBe(true);
  });

  it('publish resolves true after the confirm; an unroutable publish rejects (Warren publishes mandatory)', async () => {
    const connection = app.get(AmqpConnection);
    await expect(connection.publish(exchange, 'declared.ok', { n: 1 })).resolves.toBe(true);
    await expect(connection.publish(exchange, 'nobody.listens', { n: 2 })).rejects.toBeInstanceOf(UnroutableMessageError);
    await expect(connection.publish(exchange, 'nobody.listens', { n: 3 }, { mandatory: false })).resolves.toBe(true);
    await raw.channel.purgeQueue(moduleQueue);
  });

  it('channel declares topology; createSubscriber consumes at run time; cancelConsumer and resumeConsumer stop and restart it', async () => {
    const connection = app.get(AmqpConnection);
    await connection.channel.assertQueue(runtimeQueue, { durable: false });
    const got: unknown[] = [];
    const { consumerTag } = await connection.createSubscriber(
      (payload: unknown) => {
        got.push(payload);
      },
      { queue: runtimeQueue, queueOptions: { durable: false, consumerOptions: { consumerTag: `${runtimeQueue}.tag` } } },
      'runtimeHandler',
    );
    expect(consumerTag).toBe(`${runtimeQueue}.tag`);
    expect(connection.consumerTags).toContain(consumerTag);
    await connection.publish('', runtimeQueue, { n: 1 });
    await waitFor(() => got.length === 1, 'the run-time subscriber');
    await connection.cancelConsumer(consumerTag);
    await connection.publish('', runtimeQueue, { n: 2 });
    await waitFor(async () => (await raw.ready(runtimeQueue)) === 1, 'the message waiting while cancelled');
    expect(got).toEqual([{ n: 1 }]);
    expect(await connection.resumeConsumer(consumerTag)).toBe(consumerTag);
    await waitFor(() => got.length === 2, 'the delivery after resume');
    expect(await connection.resumeConsumer('no-such-tag')).toBeNull();
  });

  it('a connection built by hand (new AmqpConnection(config), init, addConnection) publishes on its own connection', async () => {
    const manager = app.get(AmqpConnectionManager);
    const extra = new AmqpConnection({ name: 'extra', uri: BROKER_URL, logger: recordingLogger().logger });
    await expect(extra.publish('', moduleQueue, {})).rejects.toThrow(/call init\(\) first/);
    await extra.init();
    try {
      manager.addConnection(extra);
      expect(manager.getConnection('extra')).toBe(extra);
      expect(extra.connected).toBe(true);
      await expect(manager.getConnection('extra')!.publish('', moduleQueue, { via: 'extra' })).resolves.toBe(true);
      const [message] = await raw.drain(moduleQueue);
      expect(JSON.parse(message.content.toString())).toEqual({ via: 'extra' });
    } finally {
      await extra.close();
    }
    expect(extra.connected).toBe(false);
  });

  it('createRpc answers requests at run time, and request() reaches it', async () => {
    const connection = app.get(AmqpConnection);
    const rpcQueue = `${runtimeQueue}.rpc`;
    await connection.createRpc((payload: unknown) => ({ doubled: (payload as { n: number }).n * 2 }), {
      queue: rpcQueue,
      queueOptions: { durable: false, autoDelete: true },
    });
    await expect(connection.request({ exchange: '', routingKey: rpcQueue, payload: { n: 21 } })).resolves.toEqual({ doubled: 42 });
  });
});

describe('golevelup compatibility: forRootAsync and registerHandlers (real broker)', () => {
  const queue = unique('q.compat.async');
  const handled: unknown[] = [];
  let raw: RawClient;

  @Injectable()
  class Handler {
    @RabbitSubscribe({ queue, queueOptions: { durable: false } })
    handle(payload: unknown) {
      handled.push(payload);
    }
  }

  class ConfigFactory {
    create(): RabbitMQConfig {
      return { uri: BROKER_URL, registerHandlers: false };
    }
  }

  @Module({ providers: [ConfigFactory], exports: [ConfigFactory] })
  class ConfigHolder {}

  beforeAll(async () => {
    raw = await RawClient.connect();
    await raw.channel.assertQueue(queue, { durable: false });
  });

  afterAll(async () => {
    await raw.deleteQueues(queue);
    await raw.close();
  });

  it('useClass builds the configuration; registerHandlers: false starts no consumer', async () => {
    const app = await startApp({ imports: [RabbitMQModule.forRootAsync({ useClass: ConfigFactory })], providers: [Handler] });
    try {
      await app.get(AmqpConnection).publish('', queue, { n: 1 });
      expect(await raw.ready(queue)).toBe(1);
      expect(handled).toEqual([]);
    } finally {
      await closeAll(app);
    }
  });

  it('useExisting and useFactory work too; with handlers registered the waiting message is consumed', async () => {
    const fromExisting = await startApp({ imports: [RabbitMQModule.forRootAsync({ imports: [ConfigHolder], useExisting: ConfigFactory })], providers: [Handler] });
    await closeAll(fromExisting);
    const app = await startApp({ imports: [RabbitMQModule.forRootAsync({ useFactory: async () => ({ uri: BROKER_URL }) })], providers: [Handler] });
    try {
      await waitFor(() => handled.length === 1, 'the waiting message');
      expect(handled).toEqual([{ n: 1 }]);
    } finally {
      await closeAll(app);
    }
  });
});
