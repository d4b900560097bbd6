import { INestApplication, Injectable } from '@nestjs/common';
import type { ConsumeMessage, GetMessage, Options } from 'amqplib';
import { IsInt, IsString } from 'class-validator';
import * as fc from 'fast-check';
import { RabbitHeader, RabbitPayload, RabbitRPC, RabbitSubscribe, WarrenModule } from 'nestjs-warren';
import { closeAll, startApp } from './support/app';
import { RawClient, unique, waitFor } from './support/broker';
import * as fz from './support/fuzz';

const ATTEMPTS = 2;
const RETRY = { attempts: ATTEMPTS, initialDelayMs: 20, maxDelayMs: 40 };

/** Bodies another AMQP client might send: JSON, broken JSON, text, random bytes, nothing, a JSON order to fail. */
const content = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }).map((v) => Buffer.from(JSON.stringify(v))),
  fc.constantFrom('{"a":', '[1,2', 'nul', '{"__proto__":{"polluted":true}}', '\u0000\uffff').map((s) => Buffer.from(s)),
  fz.text(40, 400).map((s) => Buffer.from(s)),
  fc.uint8Array({ maxLength: 64 }).map((b) => Buffer.from(b)),
  fc.constant(Buffer.alloc(0)),
  fc.constant(Buffer.from('{"fail":true}')),
  fz.dangerousKeyJson.map((s) => Buffer.from(s)),
);

/** What the DTO handler declares: a payload reaching it must be one, whatever keys the body had. */
class FuzzStockDto {
  @IsString()
  sku!: string;

  @IsInt()
  quantity!: number;
}

const contentType = fc.option(
  fc.constantFrom('application/json', 'application/json; charset=utf-8', 'application/vnd.x+json', 'text/plain', 'application/octet-stream', 'garbage/;;', '', 'TEXT/HTML'),
  { nil: undefined },
);

/** Values for Warren's own headers that no Warren client would send. */
const oddWarrenHeader = fc.oneof(fc.constantFrom<unknown>('abc', -1, 0, 1.5, 99, null, true, '', 2 ** 40), fc.array(fc.integer(), { maxLength: 2 }));

const messageCase = fc.record({
  content,
  contentType,
  headers: fz.headers,
  attempt: fc.option(oddWarrenHeader, { nil: undefined }),
  deadline: fc.option(fc.oneof(oddWarrenHeader, fc.constantFrom('past', 'future')), { nil: undefined }),
  properties: fc.record(
    {
      messageId: fz.text(10),
      type: fz.text(10),
      contentEncoding: fc.constantFrom('gzip', 'br', ''),
      priority: fc.integer({ min: 0, max: 255 }),
      timestamp: fc.integer({ min: 0, max: 2 ** 32 - 1 }),
      deliveryMode: fc.constantFrom(1, 2),
      expiration: fc.integer({ min: 600_000, max: 10 ** 7 }).map(String),
    },
    { requiredKeys: [] },
  ),
  target: fc.constantFrom('subscriber' as const, 'rpc' as const, 'dto' as const),
});
type MessageCase = typeof messageCase extends fc.Arbitrary<infer C> ? C : never;

function isFailOrder(payload: unknown): boolean {
  return typeof payload === 'object' && payload !== null && (payload as { fail?: unknown }).fail === true;
}

/**
 * Fuzzes the consuming side: messages from a plain amqplib client with any content type, headers
 * (also Warren's own, with odd values), bodies and properties. Each is handled once or parked once
 * with a reason (RPC: answered, with a result or an error); nothing loops; the queues end empty.
 * No handler sees an own `__proto__` key or a replaced prototype, however the body spelled the key,
 * and the DTO handler sees only valid instances of its DTO.
 */
describe('fuzz: consume (real broker)', () => {
  const exchange = unique('fz.consume');
  const queue = unique('q.fz.consume');
  const rpcQueue = unique('q.fz.consume.rpc');
  const dtoQueue = unique('q.fz.consume.dto');
  /** What a handler saw that it must not: an own `__proto__`, a replaced prototype, an invalid DTO. */
  const tampered: string[] = [];
  const handled = new Map<string, number>();
  const invoked = new Map<string, number>();
  const replies = new Map<string, ConsumeMessage>();
  let app: INestApplication;
  let raw: RawClient;
  let replyQueue: string;
  let serial = 0;

  const count = (map: Map<string, number>, id: string) => map.set(id, (map.get(id) ?? 0) + 1);

  @Injectable()
  class Handlers {
    @RabbitSubscribe({ exchange, routingKey: 'sub', queue, retry: RETRY })
    subscriber(@RabbitPayload() payload: unknown, @RabbitHeader('fz-id') id: string) {
      count(invoked, id);
      tampered.push(...fz.prototypeTampering(payload).map((p) => `${id} ${p}`));
      if (isFailOrder(payload)) throw new Error('fuzz: told to fail');
      count(handled, id);
    }

    @RabbitRPC({ exchange, routingKey: 'rpc', queue: rpcQueue })
    rpc(@RabbitPayload() payload: unknown, @RabbitHeader('fz-id') id: string) {
      count(invoked, id);
      tampered.push(...fz.prototypeTampering(payload).map((p) => `${id} ${p}`));
      if (isFailOrder(payload)) throw Object.assign(new Error('fuzz: told to fail'), { code: 'TOLD_TO_FAIL' });
      count(handled, id);
      return { echoed: payload ?? null };
    }

    @RabbitSubscribe({ exchange, routingKey: 'dto', queue: dtoQueue, retry: RETRY })
    dto(@RabbitPayload() payload: FuzzStockDto, @RabbitHeader('fz-id') id: string) {
      count(invoked, id);
      tampered.push(...fz.prototypeTampering(payload).map((p) => `${id} ${p}`));
      const valid = Object.getPrototypeOf(payload) === FuzzStockDto.prototype && typeof payload.sku === 'string' && Number.isInteger(payload.quantity);
      if (!valid) tampered.push(`${id} the DTO handler got ${JSON.stringify(payload)}`);
      count(handled, id);
    }
  }

  function send(c: MessageCase): { id: string; expired: boolean } {
    const id = `m${++serial}`;
    const headers: Record<string, unknown> = { ...(fz.forAmqplib(c.headers) as Record<string, unknown>), 'fz-id': id };
    if (c.attempt !== undefined) headers['warren-attempt'] = fz.forAmqplib(c.attempt);
    let expired = false;
    if (c.deadline === 'past') {
      headers['warren-deadline'] = Date.now() - 1000;
      expired = true;
    } else if (c.deadline === 'future') headers['warren-deadline'] = Date.now() + 60_000;
    else if (c.deadline !== undefined) {
      headers['warren-deadline'] = fz.forAmqplib(c.deadline);
      const deadline = Number(c.deadline);
      expired = Number.isFinite(deadline) && deadline > 0 && deadline < Date.now();
    }
    // Beside an expiration (which the broker enforces), an absolute deadline is not read: it is on the sender's clock.
    if (c.properties.expiration !== undefined) expired = false;
    const options: Options.Publish = { ...c.properties, headers, contentType: c.contentType };
    if (c.target === 'rpc') Object.assign(options, { replyTo: replyQueue, correlationId: id });
    raw.channel.publish(exchange, c.target === 'rpc' ? 'rpc' : c.target === 'dto' ? 'dto' : 'sub', c.content, options);
    return { id, expired };
  }

  beforeAll(async () => {
    raw = await RawClient.connect();
    const replies$ = await raw.connection.createChannel();
    replyQueue = (await replies$.assertQueue('', { exclusive: true })).queue;
    await replies$.consume(replyQueue, (m) => m && replies.set(String(m.properties.correlationId), m), { noAck: true });
    app = await startApp({
      imports: [WarrenModule.forRoot({ exchanges: [{ name: exchange, type: 'direct', options: { autoDelete: true } }] })],
      providers: [Handlers],
    });
  });

  afterAll(async () => {
    await closeAll(app);
    await raw.deleteQueues(queue, rpcQueue, dtoQueue);
    await raw.deleteExchanges(exchange);
    await raw.close();
  });

  it(`messages from another client, any shape (seed ${fz.FUZZ_SEED})`, async () => {
    let cases = 0;
    let parkedTotal = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(messageCase, { minLength: 1, maxLength: 8 }), async (batch) => {
        const sent = batch.map((c) => ({ c, ...send(c) }));
        await raw.channel.waitForConfirms();
        cases += sent.length;
        const parked = new Map<string, GetMessage>();
        const settled = (s: (typeof sent)[number]) =>
          s.c.target === 'rpc' ? s.expired || replies.has(s.id) : (handled.get(s.id) ?? 0) + (parked.has(s.id) ? 1 : 0) > 0;
        await waitFor(async () => {
          for (const dlq of [`${queue}.dlq`, `${dtoQueue}.dlq`]) {
            for (const m of await raw.drain(dlq)) parked.set(String(m.properties.headers?.['fz-id']), m);
          }
          return sent.every(settled);
        }, 'every message handled, parked or answered');

        for (const { c, id, expired } of sent) {
          expect([id, invoked.get(id) ?? 0]).toEqual([id, expect.any(Number)]);
          expect(invoked.get(id) ?? 0).toBeLessThanOrEqual(ATTEMPTS);
          if (c.target === 'subscriber' || c.target === 'dto') {
            // Handled once, or parked once with the reason — never both.
            expect([id, (handled.get(id) ?? 0) + (parked.has(id) ? 1 : 0)]).toEqual([id, 1]);
            const letter = parked.get(id);
            if (letter) expect(String(letter.properties.headers?.['warren-error'] ?? '')).not.toBe('');
            if (letter && c.target === 'subscriber' && c.content.equals(Buffer.from('{"fail":true}')) && /json|^$/.test(c.contentType ?? '')) {
              expect(letter.properties.headers?.['warren-error']).toMatch(/told to fail/);
            }
          } else if (!expired) {
            const reply = replies.get(id)!;
            const failed = reply.properties.headers?.['warren-status'] === 'error';
            // An answer either way: the result, or an error the caller can read.
            if (failed) expect(JSON.parse(reply.content.toString())).toEqual(expect.objectContaining({ code: expect.any(String), message: expect.any(String) }));
            else expect((handled.get(id) ?? 0)).toBe(1);
          } else {
            expect([id, invoked.get(id) ?? 0]).toEqual([id, 0]);
          }
        }
        parkedTotal += parked.size;
        // Nothing left behind, nothing going round: the handler queues and their retry queues are empty.
        await waitFor(async () => (await raw.ready(queue)) + (await raw.ready(rpcQueue)) + (await raw.ready(dtoQueue)) === 0, 'empty handler queues', 5_000);
        expect(tampered).toEqual([]);
      }),
      fz.fuzzParameters(fz.fuzzRuns(150)),
    );
    expect(await raw.ready(`${queue}.dlq`)).toBe(0);
    expect(await raw.ready(`${dtoQueue}.dlq`)).toBe(0);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    process.stdout.write(`fuzz-consume: ${cases} messages in ${fz.fuzzRuns(150)} batches (${parkedTotal} parked), seed ${fz.FUZZ_SEED}\n`);
  }, 600_000);
});
