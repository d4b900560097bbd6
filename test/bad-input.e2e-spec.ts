import { INestApplication, Injectable } from '@nestjs/common';
import {
  ConnectionLostError,
  EmitFailure,
  InvalidMessageError,
  MessageProducer,
  PublishError,
  RabbitHeader,
  RabbitPayload,
  RabbitRPC,
  RabbitSubscribe,
  RemoteError,
  RpcClient,
  WarrenModule,
} from 'nestjs-warren';
import { closeAll, startApp } from './support/app';
import { RawClient, unique, waitFor } from './support/broker';

async function rejection<T extends Error>(promise: Promise<unknown>): Promise<T> {
  return promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (error: T) => error,
  );
}

/** Each finding of "bad input never corrupts a channel or a confirm", reproduced against the broker. */
describe('bad input (real broker)', () => {
  const exchange = unique('bad');
  const internal = unique('bad.internal');
  const queue = unique('q.bad');
  const rpcQueue = unique('q.bad.rpc');
  const sharedQueue = unique('q.bad.shared');
  const taken: Record<string, string[]> = { first: [], second: [] };
  let app: INestApplication;
  let raw: RawClient;

  @Injectable()
  class Handlers {
    @RabbitRPC({ exchange, routingKey: 'rpc.echo', queue: rpcQueue })
    echo(@RabbitPayload() payload: unknown, @RabbitHeader('trace') trace: unknown) {
      return { payload, trace };
    }

    @RabbitRPC({ exchange, routingKey: 'rpc.circular', queue: rpcQueue })
    circular() {
      const result: Record<string, unknown> = { ok: true };
      result.self = result;
      return result;
    }

    @RabbitRPC({ exchange, routingKey: 'rpc.bigint', queue: rpcQueue })
    bigint() {
      return { id: 10n };
    }

    @RabbitRPC({ exchange, routingKey: 'rpc.fail-circular-details', queue: rpcQueue })
    failWithCircularDetails() {
      const details: Record<string, unknown> = {};
      details.self = details;
      throw Object.assign(new Error('broken'), { code: 'BROKEN', details });
    }

    @RabbitSubscribe({ queue: sharedQueue })
    first(payload: { n: number }) {
      taken.first.push(String(payload.n));
    }

    @RabbitSubscribe({ queue: sharedQueue })
    second(payload: { n: number }) {
      taken.second.push(String(payload.n));
    }
  }

  beforeAll(async () => {
    raw = await RawClient.connect();
    await raw.channel.assertExchange(internal, 'topic', { autoDelete: true, internal: true });
    await raw.channel.assertQueue(queue, { durable: false });
    app = await startApp({
      imports: [WarrenModule.forRoot({ exchanges: [{ name: exchange, options: { autoDelete: true } }], publish: { timeoutMs: 5_000 }, rpc: { timeoutMs: 5_000 } })],
      providers: [Handlers],
    });
    await raw.channel.bindQueue(queue, exchange, 'bound.#');
  });

  afterAll(async () => {
    await closeAll(app);
    await raw.deleteQueues(queue, rpcQueue, sharedQueue);
    await raw.deleteExchanges(exchange, internal);
    await raw.close();
  });

  afterEach(async () => {
    await raw.channel.purgeQueue(queue);
  });

  it('refuses a 256-byte routing key at once, and the confirms of later publishes stay right', async () => {
    const producer = app.get(MessageProducer);
    const error = await rejection<InvalidMessageError>(producer.publish(exchange, 'k'.repeat(256), { n: 'bad' }));
    expect(error).toBeInstanceOf(InvalidMessageError);
    expect(error.field).toBe('routingKey');
    for (const n of [1, 2, 3]) await producer.publish(exchange, 'bound.seq', { n });
    const received = await raw.drain(queue);
    expect(received.map((m) => JSON.parse(m.content.toString()).n)).toEqual([1, 2, 3]);
  });

  it('a bad publish among good ones fails alone; the good ones resolve and arrive once', async () => {
    const producer = app.get(MessageProducer);
    const results = await Promise.allSettled([
      producer.publish(exchange, 'bound.c', { n: 1 }),
      producer.publish(exchange, 'bound.c', { n: 2 }, { priority: 300 }),
      producer.publish(exchange, 'bound.c', { n: 3 }, { headers: { trace: { id: () => 1 } } }),
      producer.publish(exchange, 'bound.c', { n: 4 }, { messageId: 'm'.repeat(256) }),
      producer.publish(exchange, 'bound.c', { n: 5 }),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'rejected', 'rejected', 'fulfilled']);
    const fields = results.map((r) => (r.status === 'rejected' ? (r.reason as InvalidMessageError).field : null));
    expect(fields).toEqual([null, 'options.priority', 'headers.trace.id', 'options.messageId', null]);
    expect((await raw.drain(queue)).map((m) => JSON.parse(m.content.toString()).n)).toEqual([1, 5]);
  });

  it('rounds a fractional expiration up instead of letting the broker close the channel', async () => {
    const producer = app.get(MessageProducer);
    await producer.publish(exchange, 'bound.ttl', { n: 1 }, { expiration: 60_000.5 });
    await producer.publish(exchange, 'bound.ttl', { n: 2 });
    const received = await raw.drain(queue);
    expect(received.map((m) => m.properties.expiration)).toEqual(['60001', undefined]);
  });

  it('a message the broker refuses rejects with its reason; the others on the channel are delivered', async () => {
    const producer = app.get(MessageProducer);
    const good = Array.from({ length: 20 }, (_, n) => producer.publish(exchange, 'bound.refusal', { n }));
    const culprit = rejection<PublishError>(producer.publish(exchange, 'bound.refusal', { n: 'culprit' }, { userId: 'mallory' }));
    const after = Array.from({ length: 5 }, (_, n) => producer.publish(exchange, 'bound.refusal', { n: 100 + n }));
    const error = await culprit;
    expect(error).toBeInstanceOf(PublishError);
    expect(error.code).toBe('PRECONDITION_FAILED');
    expect(error.replyCode).toBe(406);
    expect(error.reason).toMatch(/user_id property set to 'mallory'/);
    await Promise.all([...good, ...after]);
    await producer.publish(exchange, 'bound.refusal', { n: 'sentinel' });
    const ns = new Set((await raw.drain(queue)).map((m) => JSON.parse(m.content.toString()).n));
    for (const n of [...Array(20).keys(), 100, 101, 102, 103, 104, 'sentinel']) expect(ns.has(n)).toBe(true);
    expect(ns.has('culprit')).toBe(false);
  });

  it('emit reports invalid input through onEmitError', async () => {
    const producer = app.get(MessageProducer);
    const failures: EmitFailure[] = [];
    const off = producer.onEmitError((failure) => failures.push(failure));
    producer.emit(exchange, 'bound.emit', { n: 1 }, { headers: { n: NaN } });
    await waitFor(() => failures.length === 1, 'the emit failure');
    off();
    expect(failures[0].error).toBeInstanceOf(InvalidMessageError);
    expect((failures[0].error as InvalidMessageError).field).toBe('headers.n');
  });

  it('headers travel with bigints, Dates and nested values as documented', async () => {
    const at = new Date('2026-11-24T06:00:00Z');
    await app.get(MessageProducer).publish(exchange, 'bound.h', 'x', { headers: { id: 42n, at, trace: { ids: [1, 'a', null, true] } } });
    const [message] = await raw.drain(queue);
    expect(message.properties.headers).toMatchObject({ id: 42, at: { '!': 'timestamp', value: at.getTime() / 1000 }, trace: { ids: [1, 'a', null, true] } });
  });

  it('RPC: a 256-byte routing key is refused at once (not after the timeout)', async () => {
    const error = await rejection<InvalidMessageError>(app.get(RpcClient).request(exchange, 'r'.repeat(256), {}));
    expect(error).toBeInstanceOf(InvalidMessageError);
    expect(error.field).toBe('routingKey');
  });

  it('RPC: a fractional timeout works, and a request beside it is not affected', async () => {
    const rpc = app.get(RpcClient);
    const [fractional, plain] = await Promise.all([
      rpc.request(exchange, 'rpc.echo', { n: 1 }, { timeoutMs: 1500.5 }),
      rpc.request(exchange, 'rpc.echo', { n: 2 }, { headers: { trace: 't-2' } }),
    ]);
    expect(fractional).toEqual({ payload: { n: 1 } });
    expect(plain).toEqual({ payload: { n: 2 }, trace: 't-2' });
    for (const timeoutMs of [NaN, -1, Infinity, 2 ** 31]) {
      expect((await rejection<InvalidMessageError>(rpc.request(exchange, 'rpc.echo', {}, { timeoutMs }))).field).toBe('options.timeoutMs');
    }
  });

  it('RPC: a request the broker refuses gets the broker reason; the client keeps working', async () => {
    const rpc = app.get(RpcClient);
    const error = await rejection<PublishError>(rpc.request(internal, 'any', {}));
    expect(error).toBeInstanceOf(PublishError);
    expect(error.code).toBe('ACCESS_REFUSED');
    expect(error.reason).toMatch(/internal exchange/);
    await expect(rpc.request(exchange, 'rpc.echo', { n: 3 })).resolves.toEqual({ payload: { n: 3 } });
  });

  it('RPC: requests pending on a channel the broker closed over another request fail at once with ConnectionLostError', async () => {
    const rpc = app.get(RpcClient);
    const [other, culprit] = await Promise.allSettled([rpc.request(exchange, 'rpc.echo', { n: 4 }), rpc.request(internal, 'any', {})]);
    expect(culprit.status === 'rejected' && (culprit.reason as PublishError).code).toBe('ACCESS_REFUSED');
    // The echo either replied before the channel closed, or its reply can no longer arrive.
    if (other.status === 'rejected') expect(other.reason).toBeInstanceOf(ConnectionLostError);
    else expect(other.value).toEqual({ payload: { n: 4 } });
  });

  it('RPC: a result that cannot be encoded reaches the caller as REPLY_NOT_ENCODABLE', async () => {
    const rpc = app.get(RpcClient);
    for (const key of ['rpc.circular', 'rpc.bigint']) {
      const error = await rejection<RemoteError>(rpc.request(exchange, key, {}));
      expect(error).toBeInstanceOf(RemoteError);
      expect(error.code).toBe('REPLY_NOT_ENCODABLE');
    }
    const error = await rejection<RemoteError>(rpc.request(exchange, 'rpc.fail-circular-details', {}));
    expect(error.code).toBe('BROKEN');
    expect(error.message).toMatch(/^broken \(details left out/);
  });

  it('RPC-only queues get no retry or dead-letter companions', async () => {
    expect(await raw.queueExists(rpcQueue)).toBe(true);
    expect(await raw.queueExists(`${rpcQueue}.dlq`)).toBe(false);
    expect(await raw.queueExists(`${rpcQueue}.retry.1000ms`)).toBe(false);
  });

  it('two handlers sharing a queue without routing keys take its messages in turn; none is parked', async () => {
    for (let n = 0; n < 10; n++) await raw.publish('', sharedQueue, JSON.stringify({ n }), { contentType: 'application/json' });
    await waitFor(() => taken.first.length + taken.second.length === 10, 'all 10 handled');
    expect(taken.first).toHaveLength(5);
    expect(taken.second).toHaveLength(5);
    expect(await raw.ready(`${sharedQueue}.dlq`)).toBe(0);
  });
});
