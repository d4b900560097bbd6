import { Controller, INestApplication, Injectable } from '@nestjs/common';
import type { ConsumeMessage } from 'amqplib';
import {
  MessageProducer,
  RabbitHeader,
  RabbitPayload,
  RabbitRequest,
  RabbitSubscribe,
  UnroutableMessageError,
  WarrenModule,
} from 'nestjs-warren';
import { closeAll, startApp } from './support/app';
import { RawClient, unique, waitFor } from './support/broker';

/** Routing: topic wildcards, fanout, direct, default exchange; providers and controllers. */
describe('routing (real broker)', () => {
  const topic = unique('topic');
  const fanout = unique('fanout');
  const direct = unique('direct');
  const q = {
    star: unique('q.star'),
    hash: unique('q.hash'),
    fanA: unique('q.fanA'),
    fanB: unique('q.fanB'),
    directRed: unique('q.red'),
    plain: unique('q.plain'),
    raw: unique('q.raw'),
  };
  const received: Record<string, string[]> = { star: [], hash: [], fanA: [], fanB: [], red: [], plain: [] };
  const rawReceived: Array<{ payload: unknown; headers: Record<string, unknown>; message: ConsumeMessage }> = [];

  @Injectable()
  class TopicHandlers {
    @RabbitSubscribe({ exchange: topic, routingKey: 'order.*', queue: q.star })
    onStar(payload: { id: string }) {
      received.star.push(payload.id);
    }

    @RabbitSubscribe({ exchange: topic, routingKey: ['order.#.failed', 'audit.#'], queue: q.hash })
    onHash(payload: { id: string }) {
      received.hash.push(payload.id);
    }
  }

  @Controller()
  class FanoutController {
    @RabbitSubscribe({ exchange: fanout, queue: q.fanA })
    onA(payload: { id: string }) {
      received.fanA.push(payload.id);
    }

    @RabbitSubscribe({ exchange: fanout, queue: q.fanB })
    onB(payload: { id: string }) {
      received.fanB.push(payload.id);
    }
  }

  @Injectable()
  class DirectHandlers {
    @RabbitSubscribe({ exchange: direct, routingKey: 'red', queue: q.directRed })
    onRed(payload: { id: string }) {
      received.red.push(payload.id);
    }

    @RabbitSubscribe({ queue: q.plain })
    onPlain(payload: { id: string }) {
      received.plain.push(payload.id);
    }

    @RabbitSubscribe({ queue: q.raw })
    onRaw(@RabbitPayload() payload: unknown, @RabbitHeader() headers: Record<string, unknown>, @RabbitRequest() message: ConsumeMessage) {
      rawReceived.push({ payload, headers, message });
    }
  }

  let app: INestApplication;
  let raw: RawClient;
  let producer: MessageProducer;

  beforeAll(async () => {
    raw = await RawClient.connect();
    app = await startApp({
      imports: [
        WarrenModule.forRoot({
          exchanges: [
            { name: topic, type: 'topic', options: { autoDelete: true } },
            { name: fanout, type: 'fanout', options: { autoDelete: true } },
            { name: direct, type: 'direct', options: { autoDelete: true } },
          ],
        }),
      ],
      providers: [TopicHandlers, DirectHandlers],
      controllers: [FanoutController],
    });
    producer = app.get(MessageProducer);
  });

  afterAll(async () => {
    await closeAll(app);
    await raw.deleteQueues(...Object.values(q));
    await raw.close();
  });

  it('routes topic messages by * and # to exactly the matching handlers', async () => {
    await producer.publish(topic, 'order.created', { id: 'a' }); // star
    await producer.publish(topic, 'order.eu.payment.failed', { id: 'b' }); // hash
    await producer.publish(topic, 'order.failed', { id: 'c' }); // star and hash ('#' matches zero words)
    await producer.publish(topic, 'audit', { id: 'd' }); // hash
    // Neither: '*' is one word. Nobody is bound for it, so the broker returns it.
    await expect(producer.publish(topic, 'order.eu.created', { id: 'e' })).rejects.toBeInstanceOf(UnroutableMessageError);
    await producer.publish(topic, 'audit.x', { id: 'f' }); // hash
    await waitFor(() => received.star.length >= 2 && received.hash.length >= 4, 'topic deliveries');
    // Publish a marker that only `star` sees, so anything misrouted before it has arrived too.
    await producer.publish(topic, 'order.marker', { id: 'z' });
    await waitFor(() => received.star.includes('z'), 'marker');
    expect(received.star.sort()).toEqual(['a', 'c', 'z']);
    expect(received.hash.sort()).toEqual(['b', 'c', 'd', 'f']);
  });

  it('delivers a fanout message to every bound queue', async () => {
    await producer.publish(fanout, 'ignored', { id: 'x' });
    await waitFor(() => received.fanA.length === 1 && received.fanB.length === 1, 'fanout deliveries');
    expect(received.fanA).toEqual(['x']);
    expect(received.fanB).toEqual(['x']);
  });

  it('routes direct messages by exact key; a key nobody is bound for is reported, not silently dropped', async () => {
    await producer.publish(direct, 'red', { id: 'r1' });
    await expect(producer.publish(direct, 'blue', { id: 'b1' })).rejects.toBeInstanceOf(UnroutableMessageError);
    await producer.publish(direct, 'blue', { id: 'b2' }, { mandatory: false }); // opted out: the broker drops it
    await producer.publish(direct, 'red', { id: 'r2' });
    await waitFor(() => received.red.length === 2, 'direct deliveries');
    expect(received.red).toEqual(['r1', 'r2']);
  });

  it('consumes a queue named without an exchange through the default exchange', async () => {
    await producer.publish('', q.plain, { id: 'p1' });
    await waitFor(() => received.plain.length === 1, 'default-exchange delivery');
    expect(received.plain).toEqual(['p1']);
  });

  it('delivers objects, strings and Buffers intact, with headers and properties', async () => {
    rawReceived.length = 0;
    const headers = { tenant: 'acme', attempt: 3, nested: { ok: true } };
    await producer.publish('', q.raw, { n: 1, text: 'ünïcødé' }, { headers, correlationId: 'corr-1', messageId: 'm-1', priority: 5 });
    await producer.publish('', q.raw, 'plain text', { headers: { kind: 'string' } });
    await producer.publish('', q.raw, Buffer.from([0, 1, 2, 255]), { headers: { kind: 'buffer' } });
    await waitFor(() => rawReceived.length === 3, 'three deliveries');
    const [object, text, binary] = rawReceived;
    expect(object.payload).toEqual({ n: 1, text: 'ünïcødé' });
    expect(object.headers).toEqual(headers);
    expect(object.message.properties).toMatchObject({
      correlationId: 'corr-1',
      messageId: 'm-1',
      priority: 5,
      deliveryMode: 2,
      contentType: 'application/json',
    });
    expect(text.payload).toBe('plain text');
    expect(text.message.properties.contentType).toBe('text/plain');
    expect(text.headers).toEqual({ kind: 'string' });
    expect(Buffer.isBuffer(binary.payload)).toBe(true);
    expect([...(binary.payload as Buffer)]).toEqual([0, 1, 2, 255]);
    expect(binary.headers).toEqual({ kind: 'buffer' });
    // A generated messageId when none was given.
    expect(text.message.properties.messageId).toMatch(/^[0-9a-f-]{36}$/);
  });
});
