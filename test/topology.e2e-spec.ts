import { Injectable } from '@nestjs/common';
import { MessageProducer, RabbitHeader, RabbitPayload, RabbitSubscribe, WarrenConfigurationError, WarrenModule } from 'nestjs-warren';
import { closeAll, startApp } from './support/app';
import { RawClient, unique, waitFor } from './support/broker';

/** Declarative topology (assert / check) and named publications. */
describe('topology and publications (real broker)', () => {
  let raw: RawClient;

  beforeAll(async () => {
    raw = await RawClient.connect();
  });

  afterAll(async () => {
    await raw.close();
  });

  it("assert mode declares the topology; a handler consumes a topology queue; publishTo uses the publication's target and options", async () => {
    const exchange = unique('topo');
    const queue = unique('q.topo');
    const got: Array<{ payload: unknown; kind: unknown }> = [];

    @Injectable()
    class Orders {
      @RabbitSubscribe({ queue })
      created(@RabbitPayload() payload: unknown, @RabbitHeader('kind') kind: unknown) {
        got.push({ payload, kind });
      }
    }

    const app = await startApp({
      imports: [
        WarrenModule.forRoot({
          topology: {
            exchanges: [{ name: exchange, type: 'topic', options: { autoDelete: true } }],
            queues: [{ name: queue, options: { durable: false } }],
            bindings: [{ exchange, queue, routingKey: 'order.*' }],
          },
          publications: { orderCreated: { exchange, routingKey: 'order.created', options: { headers: { kind: 'order' } } } },
        }),
      ],
      providers: [Orders],
    });
    try {
      const producer = app.get(MessageProducer);
      await producer.publishTo('orderCreated', { id: 1 });
      await waitFor(() => got.length === 1, 'the published order');
      expect(got).toEqual([{ payload: { id: 1 }, kind: 'order' }]);
      const error = await producer.publishTo('orderShipped', {}).catch((e: Error) => e);
      expect(error).toBeInstanceOf(WarrenConfigurationError);
      expect((error as Error).message).toMatch(/No publication named 'orderShipped'.*orderCreated/);
    } finally {
      await closeAll(app);
      await raw.deleteQueues(queue);
      await raw.deleteExchanges(exchange);
    }
  });

  it('an inconsistent topology fails start-up with one clear error', async () => {
    const error = await startApp({
      imports: [
        WarrenModule.forRoot({
          topology: { exchanges: [{ name: unique('topo.x') }], bindings: [{ exchange: 'nowhere', queue: 'no-queue', routingKey: '#' }] },
          publications: { lost: { exchange: 'missing-exchange', routingKey: 'k' } },
        }),
      ],
    }).catch((e: Error) => e);
    expect(error).toBeInstanceOf(WarrenConfigurationError);
    expect((error as Error).message).toMatch(/exchange 'nowhere'.*queue 'no-queue'.*publication 'lost' goes to exchange 'missing-exchange'/);
  });

  it('check mode declares nothing and lists everything missing in one error', async () => {
    const exchange = unique('topo.check');
    const queue = unique('q.topo.check');
    const handlerQueue = unique('q.topo.handler');

    @Injectable()
    class Handler {
      @RabbitSubscribe({ queue: handlerQueue })
      handle() {}
    }

    const error = await startApp({
      imports: [
        WarrenModule.forRoot({
          topology: { mode: 'check', exchanges: [{ name: exchange }], queues: [{ name: queue }], bindings: [{ exchange, queue, routingKey: '#' }] },
        }),
      ],
      providers: [Handler],
    }).catch((e: Error) => e);
    expect(error).toBeInstanceOf(WarrenConfigurationError);
    const message = (error as Error).message;
    for (const missing of [`exchange '${exchange}'`, `queue '${queue}'`, `queue '${handlerQueue}'`, `queue '${handlerQueue}.dlq'`]) expect(message).toContain(missing);
    for (const name of [queue, handlerQueue, `${handlerQueue}.dlq`]) expect(await raw.queueExists(name)).toBe(false);
  });

  it('check mode starts when everything exists, and consumes without declaring', async () => {
    const queue = unique('q.topo.ready');
    await raw.channel.assertQueue(queue, { durable: false });
    const got: unknown[] = [];

    @Injectable()
    class Handler {
      @RabbitSubscribe({ queue, retry: false, deadLetterQueue: false })
      handle(payload: unknown) {
        got.push(payload);
      }
    }

    const app = await startApp({ imports: [WarrenModule.forRoot({ topology: { mode: 'check', queues: [{ name: queue }] } })], providers: [Handler] });
    try {
      await raw.publish('', queue, JSON.stringify({ n: 1 }), { contentType: 'application/json' });
      await waitFor(() => got.length === 1, 'the message');
      expect(got).toEqual([{ n: 1 }]);
    } finally {
      await closeAll(app);
      await raw.deleteQueues(queue);
    }
  });
});
