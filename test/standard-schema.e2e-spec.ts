import { INestApplication, Injectable } from '@nestjs/common';
import type { GetMessage } from 'amqplib';
import * as v from 'valibot';
import { z } from 'zod';
import { RabbitPayload, RabbitRPC, RabbitSubscribe, RemoteError, RpcClient, WarrenConsumers, WarrenModule } from 'nestjs-warren';
import { closeAll, startApp } from './support/app';
import { RawClient, unique, waitFor } from './support/broker';

const tick = () => new Promise((resolve) => setImmediate(resolve));

const zodOrder = z.object({ id: z.string(), quantity: z.number().int().positive() });
const valibotOrder = v.object({ id: v.string(), quantity: v.pipe(v.number(), v.integer(), v.minValue(1)) });
/** Transforms: the handler gets the output, not what was sent. */
const zodShout = z.object({ name: z.string().transform((name) => name.toUpperCase()) });
const valibotLength = v.object({ name: v.pipe(v.string(), v.transform((name) => name.length)) });
/** Async schemas: validate() returns a promise, which Warren awaits. */
const zodAsync = z.object({ sku: z.string() }).refine(async (item) => (await tick(), item.sku !== 'banned'), { message: 'sku is banned', path: ['sku'] });
const valibotAsync = v.pipeAsync(
  v.object({ sku: v.string() }),
  v.checkAsync(async (item) => (await tick(), item.sku !== 'banned'), 'sku is banned'),
);

/**
 * Issue 27: Standard Schemas (zod 4, valibot 1) on handlers — options and @RabbitPayload({ schema }),
 * transforms and async schemas — and the primitive parameter check of plain handlers.
 */
describe('Standard Schema validation of handlers (real broker)', () => {
  const exchange = unique('schema');
  const rpcQueue = unique('q.schema.rpc');
  const subQueue = unique('q.schema.sub');
  const runtimeQueue = unique('q.schema.runtime');
  const batchQueue = unique('q.schema.batch');
  const calls: string[] = [];
  const received: unknown[] = [];
  let app: INestApplication;
  let raw: RawClient;
  let rpc: RpcClient;

  @Injectable()
  class Handlers {
    @RabbitRPC({ exchange, routingKey: 'zod.order', queue: rpcQueue, schema: zodOrder })
    zodOrder(order: z.output<typeof zodOrder>) {
      calls.push('zod.order');
      return order;
    }

    @RabbitRPC({ exchange, routingKey: 'valibot.order', queue: rpcQueue })
    valibotOrder(@RabbitPayload({ schema: valibotOrder }) order: v.InferOutput<typeof valibotOrder>) {
      calls.push('valibot.order');
      return order;
    }

    @RabbitRPC({ exchange, routingKey: 'zod.shout', queue: rpcQueue, schema: zodShout })
    shout(@RabbitPayload() request: z.output<typeof zodShout>) {
      return request.name;
    }

    @RabbitRPC({ exchange, routingKey: 'valibot.length', queue: rpcQueue })
    length(@RabbitPayload({ schema: valibotLength }) request: v.InferOutput<typeof valibotLength>) {
      return { length: request.name, type: typeof request.name };
    }

    @RabbitRPC({ exchange, routingKey: 'zod.async', queue: rpcQueue, schema: zodAsync })
    zodAsync(item: { sku: string }) {
      calls.push('zod.async');
      return item.sku;
    }

    @RabbitRPC({ exchange, routingKey: 'valibot.async', queue: rpcQueue, schema: valibotAsync })
    valibotAsync(item: { sku: string }) {
      calls.push('valibot.async');
      return item.sku;
    }

    @RabbitRPC({ exchange, routingKey: 'square', queue: rpcQueue })
    square(@RabbitPayload() n: number) {
      calls.push('square');
      return n * n;
    }

    @RabbitSubscribe({ exchange, routingKey: 'zod.event', queue: subQueue, schema: zodOrder })
    onZodEvent(event: z.output<typeof zodOrder>) {
      received.push(event);
    }

    @RabbitSubscribe({ exchange, routingKey: 'valibot.event', queue: subQueue, schema: valibotAsync })
    onValibotEvent(event: { sku: string }) {
      received.push(event);
    }

    @RabbitSubscribe({ exchange, routingKey: 'flag', queue: subQueue })
    onFlag(flag: boolean) {
      received.push(flag);
    }
  }

  beforeAll(async () => {
    raw = await RawClient.connect();
    app = await startApp({
      imports: [WarrenModule.forRoot({ exchanges: [{ name: exchange, type: 'topic', options: { autoDelete: true } }], logger: false })],
      providers: [Handlers],
    });
    rpc = app.get(RpcClient);
  });

  afterAll(async () => {
    await closeAll(app);
    await raw.deleteQueues(rpcQueue, subQueue, runtimeQueue, batchQueue);
    await raw.close();
  });

  beforeEach(() => {
    calls.length = 0;
    received.length = 0;
  });

  const refusal = (routingKey: string, payload: unknown) => rpc.request(exchange, routingKey, payload).then(() => undefined, (error: unknown) => error as RemoteError);

  async function parked(count: number): Promise<GetMessage[]> {
    const letters: GetMessage[] = [];
    await waitFor(async () => {
      letters.push(...(await raw.drain(`${subQueue}.dlq`)));
      return letters.length >= count;
    }, `${count} parked message(s)`);
    return letters;
  }

  it.each([['zod.order'], ['valibot.order']])('%s: a valid request reaches the handler; an invalid one gets VALIDATION_FAILED with the issues', async (key) => {
    await expect(rpc.request(exchange, key, { id: 'o-1', quantity: 2 })).resolves.toEqual({ id: 'o-1', quantity: 2 });
    const error = await refusal(key, { id: 7, quantity: 1.5 });
    expect(error).toBeInstanceOf(RemoteError);
    expect(error?.code).toBe('VALIDATION_FAILED');
    expect(error?.details).toEqual([
      { path: ['id'], message: expect.any(String) },
      { path: ['quantity'], message: expect.any(String) },
    ]);
    expect(error?.message).toMatch(/^Payload failed validation for the (zod|valibot) schema of Handlers\.\w+: id: .+; quantity: /);
    expect(calls).toEqual([key]);
  });

  it('the handler receives the schema output: transforms applied (zod and valibot)', async () => {
    await expect(rpc.request(exchange, 'zod.shout', { name: 'ada' })).resolves.toBe('ADA');
    await expect(rpc.request(exchange, 'valibot.length', { name: 'ada' })).resolves.toEqual({ length: 3, type: 'number' });
    expect((await refusal('valibot.length', { name: 3 }))?.code).toBe('VALIDATION_FAILED');
  });

  it.each([['zod.async'], ['valibot.async']])('%s: an async schema is awaited before the handler runs', async (key) => {
    await expect(rpc.request(exchange, key, { sku: 'A-1' })).resolves.toBe('A-1');
    const error = await refusal(key, { sku: 'banned' });
    expect(error?.code).toBe('VALIDATION_FAILED');
    expect(error?.message).toContain('sku is banned');
    expect(calls).toEqual([key]);
  });

  it("a plain handler's number parameter refuses \"seven\" with VALIDATION_FAILED; 7 is squared", async () => {
    await expect(rpc.request(exchange, 'square', 7)).resolves.toBe(49);
    for (const bad of ['seven', { n: 7 }, null]) {
      const error = await refusal('square', bad);
      expect(error?.code).toBe('VALIDATION_FAILED');
      expect(error?.details).toEqual([{ path: [], message: expect.stringMatching(/^payload must be a finite number, got /) }]);
    }
    expect(calls).toEqual(['square']);
  });

  it('a subscriber parks an invalid event at once with the issues in warren-error; valid ones are handled', async () => {
    const publish = (key: string, body: unknown) => raw.publish(exchange, key, JSON.stringify(body), { contentType: 'application/json' });
    await publish('zod.event', { id: 'o-1', quantity: 0 });
    await publish('valibot.event', { sku: 'banned' });
    await publish('flag', 'yes');
    await publish('zod.event', { id: 'o-2', quantity: 1 });
    await publish('valibot.event', { sku: 'A-1' });
    await publish('flag', true);
    const letters = await parked(3);
    await waitFor(() => received.length === 3, 'the valid events');
    expect(received).toEqual(expect.arrayContaining([{ id: 'o-2', quantity: 1 }, { sku: 'A-1' }, true]));
    const byKey = new Map(letters.map((letter) => [letter.properties.headers?.['warren-original-routing-key'], letter.properties.headers ?? {}]));
    for (const headers of byKey.values()) {
      expect(headers['warren-error-code']).toBe('VALIDATION_FAILED');
      expect(headers['warren-attempt']).toBe(1); // parked at once, never retried
    }
    expect(String(byKey.get('zod.event')?.['warren-error'])).toMatch(/the zod schema of Handlers\.onZodEvent: quantity: /);
    expect(String(byKey.get('valibot.event')?.['warren-error'])).toContain('sku is banned');
    expect(String(byKey.get('flag')?.['warren-error'])).toContain('payload must be a boolean, got a string');
  });

  it('a batch subscriber gets each valid payload as the schema output; an invalid one is parked alone', async () => {
    const queue = batchQueue;
    const batches: unknown[][] = [];
    await app.get(WarrenConsumers).add({ type: 'subscribe', queue, schema: zodShout, batchOptions: { size: 3, timeout: 2_000 } }, (payload) => void batches.push(payload as unknown[]));
    for (const body of [{ name: 'a' }, { name: 1 }, { name: 'b' }]) await raw.publish('', queue, JSON.stringify(body), { contentType: 'application/json' });
    const letters: GetMessage[] = [];
    await waitFor(async () => (letters.push(...(await raw.drain(`${queue}.dlq`))), letters.length === 1 && batches.length === 1), 'the batch and the parked message');
    expect(batches).toEqual([[{ name: 'A' }, { name: 'B' }]]);
    expect(letters[0].properties.headers?.['warren-error-code']).toBe('VALIDATION_FAILED');
  });

  it('a handler added at run time with a schema gets its output too', async () => {
    const queue = runtimeQueue;
    const got: unknown[] = [];
    await app.get(WarrenConsumers).add({ type: 'subscribe', queue, schema: zodShout, retry: false, deadLetterQueue: false }, (payload) => void got.push(payload));
    await raw.publish('', queue, JSON.stringify({ name: 'grace' }), { contentType: 'application/json' });
    await waitFor(() => got.length === 1, 'the run-time handler');
    expect(got).toEqual([{ name: 'GRACE' }]);
  });
});
