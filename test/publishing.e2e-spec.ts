import { INestApplication } from '@nestjs/common';
import { MessageProducer, MessageTooLargeError, PublishError, RpcClient, UnroutableMessageError, WarrenModule } from 'nestjs-warren';
import { closeAll, startApp } from './support/app';
import { RawClient, unique } from './support/broker';

/** What publish() promises: confirmed, or a typed error that says why not. */
describe('publishing (real broker)', () => {
  const exchange = unique('pub');
  const queue = unique('q.pub');
  let app: INestApplication;
  let raw: RawClient;

  beforeAll(async () => {
    raw = await RawClient.connect();
    await raw.channel.assertExchange(exchange, 'topic', { autoDelete: true });
    await raw.channel.assertQueue(queue, { durable: false });
    await raw.channel.bindQueue(queue, exchange, 'bound.#');
    app = await startApp({ imports: [WarrenModule.forRoot({ maxMessageBytes: 1024, rpc: { timeoutMs: 5_000 } })] });
  });

  afterAll(async () => {
    await closeAll(app);
    await raw.deleteQueues(queue);
    await raw.deleteExchanges(exchange);
    await raw.close();
  });

  it('resolves once the broker confirmed a routable message, which is then in the queue', async () => {
    await app.get(MessageProducer).publish(exchange, 'bound.one', { n: 1 });
    const [message] = await raw.drain(queue);
    expect(JSON.parse(message.content.toString())).toEqual({ n: 1 });
  });

  it('rejects with UnroutableMessageError naming exchange and key when no queue is bound', async () => {
    const error = (await app.get(MessageProducer).publish(exchange, 'nobody.listens', { n: 2 }).catch((e: unknown) => e)) as UnroutableMessageError;
    expect(error).toBeInstanceOf(UnroutableMessageError);
    expect(error).toBeInstanceOf(PublishError);
    expect(error.exchange).toBe(exchange);
    expect(error.routingKey).toBe('nobody.listens');
    expect(error.message).toContain('NO_ROUTE');
  });

  it('tells apart routable and unroutable messages published together', async () => {
    const producer = app.get(MessageProducer);
    const results = await Promise.allSettled(
      Array.from({ length: 50 }, (_, i) => producer.publish(exchange, i % 2 ? 'bound.x' : 'unbound.x', { i })),
    );
    const rejected = results.map((r, i) => [i, r.status === 'rejected'] as const).filter(([, failed]) => failed).map(([i]) => i);
    expect(rejected).toEqual(Array.from({ length: 25 }, (_, k) => k * 2));
    expect(await raw.drain(queue)).toHaveLength(25);
  });

  it('publishMany settles each message on its own, in order: confirmed, unroutable, invalid', async () => {
    await raw.channel.purgeQueue(queue);
    const results = await app.get(MessageProducer).publishMany([
      ...Array.from({ length: 50 }, (_, n) => ({ exchange, routingKey: 'bound.many', message: { n } })),
      { exchange, routingKey: 'nobody.home', message: { n: 'lost' } },
      { exchange, routingKey: 'k'.repeat(256), message: { n: 'bad' } },
    ]);
    expect(results.slice(0, 50).every((r) => r.status === 'fulfilled')).toBe(true);
    expect(results[50]).toMatchObject({ status: 'rejected', reason: expect.any(UnroutableMessageError) });
    expect(results[51]).toMatchObject({ status: 'rejected', reason: expect.objectContaining({ code: 'INVALID_MESSAGE', field: 'routingKey' }) });
    const delivered = await raw.drain(queue);
    expect(delivered.map((m) => JSON.parse(m.content.toString()).n)).toEqual(Array.from({ length: 50 }, (_, n) => n));
  });

  it('sends each message with its own headers, published back to back in shapes that repeat and vary', async () => {
    // The producer hands amqplib reused header objects (one per shape); no message may carry another's values.
    await raw.channel.purgeQueue(queue);
    const headersOf = (n: number): Record<string, unknown> =>
      n % 3 === 0 ? { 'x-n': n, 'x-tenant': `t${n}` } : n % 3 === 1 ? { 'x-tenant': `t${n}`, 'x-n': n } : { 'x-n': n, nested: { list: [n, `s${n}`] } };
    const producer = app.get(MessageProducer);
    await Promise.all(Array.from({ length: 60 }, (_, n) => producer.publish(exchange, 'bound.headers', { n }, { headers: headersOf(n) })));
    const messages = await raw.drain(queue);
    expect(messages).toHaveLength(60);
    for (const message of messages) {
      const { n } = JSON.parse(message.content.toString()) as { n: number };
      expect(message.properties.headers).toEqual(expect.objectContaining(headersOf(n)));
      expect(Object.keys(message.properties.headers ?? {}).filter((name) => !name.startsWith('x-') && name !== 'nested')).toEqual([]);
    }
    // A shape seen before (x-n, x-tenant) carries no leftovers from the previous message of that shape.
    await producer.publish(exchange, 'bound.headers', { n: -1 }, { headers: { 'x-n': -1, 'x-tenant': undefined } });
    const [last] = await raw.drain(queue);
    expect(last.properties.headers).toEqual({ 'x-n': -1 });
  });

  it('rejects a publish to a missing exchange with PublishError, and keeps working afterwards', async () => {
    const producer = app.get(MessageProducer);
    const missing = unique('missing');
    const error = (await producer.publish(missing, 'x', {}).catch((e: unknown) => e)) as PublishError;
    expect(error).toBeInstanceOf(PublishError);
    expect(error.message).toContain(`Exchange '${missing}' does not exist`);
    await producer.publish(exchange, 'bound.after', { ok: true });
    expect(await raw.drain(queue)).toHaveLength(1);
  });

  it('refuses a body over maxMessageBytes before sending it', async () => {
    const error = await app.get(MessageProducer).publish(exchange, 'bound.big', 'x'.repeat(2048)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MessageTooLargeError);
    expect((error as MessageTooLargeError).size).toBe(2048);
    expect(await raw.ready(queue)).toBe(0);
  });

  it('rejects an RPC request nobody is bound for with UnroutableMessageError at once', async () => {
    const started = Date.now();
    const error = await app.get(RpcClient).request(exchange, 'rpc.nobody', {}).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnroutableMessageError);
    expect(Date.now() - started).toBeLessThan(1_000); // the timeout is 5 s
  });
});
