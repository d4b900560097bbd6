import { INestApplication, Injectable } from '@nestjs/common';
import type { Channel, ConsumeMessage } from 'amqplib';
import { AmqpConnection, Nack, RabbitMQModule, RabbitPayload, RabbitRequest, RabbitSubscribe } from 'nestjs-warren/golevelup';
import { closeAll, startApp } from '../support/app';
import { BROKER_URL, RawClient, unique, waitFor } from '../support/broker';

type Item = { n: number; fail?: boolean; nack?: boolean };

/** golevelup's batch consumers (`batchOptions`) on Warren. */
describe('golevelup compatibility: batch consumers (real broker)', () => {
  const exchange = unique('compat.batch');
  const q = (name: string) => `${exchange}.${name}`;
  const batches: Record<string, Item[][]> = {};
  const rawCounts: number[] = [];
  const errorHandlerBatches: number[] = [];
  let raw: RawClient;
  let app: INestApplication;

  const record = (name: string, items: Item[]) => (batches[name] ??= []).push(items);

  @Injectable()
  class Handlers {
    @RabbitSubscribe({ exchange, routingKey: 'plain', queue: q('plain'), retry: false, batchOptions: { size: 5, timeout: 300 } })
    plain(@RabbitPayload() items: Item[], @RabbitRequest() messages: ConsumeMessage[]) {
      record('plain', items);
      rawCounts.push(messages.length);
      if (items.some((i) => i.fail)) throw new Error('one item is bad');
      if (items.some((i) => i.nack)) return new Nack();
    }

    @RabbitSubscribe({
      exchange,
      routingKey: 'custom',
      queue: q('custom'),
      batchOptions: {
        size: 3,
        timeout: 300,
        errorHandler: (channel: Channel, messages: ConsumeMessage[]) => {
          errorHandlerBatches.push(messages.length);
          for (const message of messages) channel.ack(message);
        },
      },
    })
    custom(items: Item[]) {
      record('custom', items);
      throw new Error('always fails');
    }

    @RabbitSubscribe({ exchange, routingKey: 'slow', queue: q('slow'), batchOptions: { size: 10, timeout: 20_000 } })
    slow(items: Item[]) {
      record('slow', items);
    }
  }

  beforeAll(async () => {
    raw = await RawClient.connect();
    app = await startApp({
      imports: [RabbitMQModule.forRoot({ uri: BROKER_URL, exchanges: [{ name: exchange, type: 'topic', options: { autoDelete: true } }], prefetchCount: 2 })],
      providers: [Handlers],
    });
  });

  afterAll(async () => {
    await closeAll(app);
    await raw.deleteQueues(q('plain'), q('custom'), q('slow'));
    await raw.deleteExchanges(exchange);
    await raw.close();
  });

  const publish = async (routingKey: string, items: Item[]) => {
    for (const item of items) await app.get(AmqpConnection).publish(exchange, routingKey, item);
  };

  it('hands a full batch over at once and acks it together (prefetch raised to the batch size)', async () => {
    await publish('plain', [1, 2, 3, 4, 5].map((n) => ({ n })));
    await waitFor(() => (batches['plain'] ?? []).length === 1, 'one batch');
    expect(batches['plain'][0].map((i) => i.n)).toEqual([1, 2, 3, 4, 5]);
    expect(rawCounts).toEqual([5]);
    await waitFor(async () => (await raw.ready(q('plain'))) === 0, 'the batch acked');
  });

  it('hands a partial batch over after the timeout', async () => {
    await publish('plain', [6, 7].map((n) => ({ n })));
    await waitFor(() => batches['plain'].length === 2, 'the partial batch');
    expect(batches['plain'][1].map((i) => i.n)).toEqual([6, 7]);
  });

  it('a failed batch runs again one message at a time: only the bad one is parked; a Nack parks the whole batch', async () => {
    const before = batches['plain'].length;
    await publish('plain', [{ n: 8 }, { n: 9, fail: true }, { n: 10 }]);
    await waitFor(async () => (await raw.ready(`${q('plain')}.dlq`)) === 1, 'the bad message parked');
    await waitFor(() => batches['plain'].length === before + 4, 'the batch, then each message alone');
    expect(batches['plain'].slice(before + 1)).toEqual([[{ n: 8 }], [{ n: 9, fail: true }], [{ n: 10 }]]);
    const parked = await raw.drain(`${q('plain')}.dlq`);
    expect(parked.map((m) => JSON.parse(m.content.toString()).n)).toEqual([9]);
    expect(/one item is bad/.test(String(parked[0].properties.headers?.['warren-error']))).toBe(true);
    await waitFor(async () => (await raw.ready(q('plain'))) === 0, 'the good ones acked');
    await publish('plain', [{ n: 11, nack: true }, { n: 12 }]);
    await waitFor(async () => (await raw.ready(`${q('plain')}.dlq`)) === 2, 'the nacked batch parked');
  });

  it("the batch's errorHandler gets the failed batch and settles it", async () => {
    await publish('custom', [1, 2, 3].map((n) => ({ n })));
    await waitFor(() => errorHandlerBatches.length === 1, 'the errorHandler call');
    expect(errorHandlerBatches).toEqual([3]);
    await waitFor(async () => (await raw.ready(q('custom'))) === 0, 'the batch acked by the errorHandler');
    expect(await raw.ready(`${q('custom')}.dlq`)).toBe(0);
  });

  it('shutdown hands a waiting partial batch over at once, within the drain', async () => {
    await publish('slow', [1, 2].map((n) => ({ n })));
    await waitFor(async () => (await raw.ready(q('slow'))) === 0, 'both messages delivered (waiting in the batch)');
    expect(batches['slow']).toBeUndefined();
    await app.close();
    expect(batches['slow']).toEqual([[{ n: 1 }, { n: 2 }]]);
    const check = await RawClient.connect();
    try {
      expect(await check.ready(q('slow'))).toBe(0);
    } finally {
      await check.close();
    }
  });
});
