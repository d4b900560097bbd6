import { INestApplication } from '@nestjs/common';
import type { ConsumeMessage } from 'amqplib';
import * as fc from 'fast-check';
import { MessageProducer, PublishOptions, WarrenModule } from 'nestjs-warren';
import { closeAll, startApp } from './support/app';
import { RawClient, unique, waitFor } from './support/broker';
import * as fz from './support/fuzz';

const MAX_MESSAGE_BYTES = 2 * 1024 * 1024;
const SHORT_STRINGS = ['messageId', 'correlationId', 'type', 'replyTo', 'contentType', 'contentEncoding', 'appId', 'userId'] as const;

/** One thing wrong with a publish, or nothing. At most one per call, so the expected outcome is known. */
const fault = fc.oneof(
  { arbitrary: fc.constant({ kind: 'none' as const }), weight: 12 },
  { arbitrary: fz.sharedFault, weight: 8 },
  fc.record({ kind: fc.constant('longRoutingKey' as const), unicode: fc.boolean() }),
  fc.record({ kind: fc.constant('priority' as const), value: fc.constantFrom(256, -1, 1.5, NaN) }),
  fc.record({ kind: fc.constant('expiration' as const), value: fc.constantFrom<unknown>(-1, NaN, Infinity, '1.5', 'soon', 2 ** 32) }),
  fc.record({ kind: fc.constant('shortString' as const), name: fc.constantFrom(...SHORT_STRINGS) }),
  fc.constant({ kind: 'wrongUser' as const }),
  fc.constant({ kind: 'unroutableNotMandatory' as const }),
);
type Fault = typeof fault extends fc.Arbitrary<infer F> ? F : never;

const properties = fc.record(
  {
    priority: fc.integer({ min: 0, max: 255 }),
    expiration: fc.oneof(fc.integer({ min: 600_000, max: 10 ** 8 }), fc.double({ min: 600_000, max: 10 ** 8, noNaN: true }), fc.integer({ min: 600_000, max: 10 ** 8 }).map(String)),
    messageId: fz.text(40),
    correlationId: fz.text(40),
    type: fz.text(20),
    appId: fz.text(20),
    contentEncoding: fc.constantFrom('gzip', 'identity', 'utf-8'),
    persistent: fc.boolean(),
    userId: fc.constant('guest'),
  },
  { requiredKeys: [] },
);

const publishCase = fc.record({ key: fz.text(30, 200), body: fz.body, properties, headers: fz.headers, fault });
type PublishCase = typeof publishCase extends fc.Arbitrary<infer C> ? C : never;

interface Call extends fz.FuzzCall {
  id: string;
  options: PublishOptions;
}

/** Fuzzes `MessageProducer.publish` against the real broker: every call is delivered exactly once or rejected at once with a typed error. */
describe('fuzz: publish (real broker)', () => {
  const exchange = unique('fz.pub');
  const internal = unique('fz.pub.internal');
  const queue = unique('q.fz.pub');
  const arrived = new Map<string, ConsumeMessage[]>();
  let app: INestApplication;
  let raw: RawClient;
  let serial = 0;

  function build(c: PublishCase): Call {
    const id = `c${++serial}`;
    const call: Call = {
      id,
      exchange,
      routingKey: `fz.${c.key}`,
      message: c.body,
      headers: { ...c.headers, 'x-fz-id': id },
      options: { ...c.properties },
      expected: { outcome: 'ok' },
    };
    const f: Fault = c.fault;
    const invalid = (field: string) => (call.expected = { outcome: 'invalid', field });
    switch (f.kind) {
      case 'none':
        break;
      case 'longRoutingKey':
        call.routingKey = f.unicode ? `fz.${'é'.repeat(127)}` : `fz.${'k'.repeat(253)}`;
        invalid('routingKey');
        break;
      case 'priority':
        call.options.priority = f.value;
        invalid('options.priority');
        break;
      case 'expiration':
        call.options.expiration = f.value as number;
        invalid('options.expiration');
        break;
      case 'shortString':
        call.options[f.name] = 'ü'.repeat(128);
        invalid(`options.${f.name}`);
        break;
      case 'wrongUser':
        call.options.userId = 'mallory';
        call.expected = { outcome: 'refused', code: 'PRECONDITION_FAILED' };
        break;
      case 'unroutableNotMandatory':
        call.routingKey = 'nowhere';
        call.options.mandatory = false;
        break;
      default:
        fz.applySharedFault(f, call, {
          headersField: 'headers',
          bodyField: 'message',
          internalExchange: internal,
          missingExchange: unique('fz.missing'),
          maxMessageBytes: MAX_MESSAGE_BYTES,
        });
    }
    return call;
  }

  /** The message as it arrived matches what was published: body bytes, properties, headers. */
  function checkArrival(call: Call, message: ConsumeMessage): void {
    const { options } = call;
    const props = message.properties;
    expect(message.content.equals(fz.expectedContent(call.message))).toBe(true);
    for (const name of ['messageId', 'correlationId', 'type', 'appId', 'contentEncoding', 'userId', 'priority'] as const) {
      if (options[name] !== undefined) expect([name, props[name]]).toEqual([name, options[name]]);
    }
    if (options.expiration !== undefined) expect(props.expiration).toBe(String(Math.ceil(Number(options.expiration))));
    expect(props.deliveryMode === 2).toBe(options.persistent !== false);
    for (const [name, value] of Object.entries(call.headers)) expect([name, props.headers?.[name]]).toEqual([name, value]);
  }

  beforeAll(async () => {
    raw = await RawClient.connect();
    await raw.channel.assertExchange(internal, 'topic', { autoDelete: true, internal: true });
    await raw.channel.assertExchange(exchange, 'topic', { autoDelete: true });
    await raw.channel.assertQueue(queue, { durable: false });
    await raw.channel.bindQueue(queue, exchange, 'fz.#');
    const consumer = await raw.connection.createChannel();
    await consumer.consume(queue, (message) => {
      if (!message) return;
      const id = String(message.properties.headers?.['x-fz-id']);
      arrived.set(id, [...(arrived.get(id) ?? []), message]);
    }, { noAck: true });
    app = await startApp({ imports: [WarrenModule.forRoot({ maxMessageBytes: MAX_MESSAGE_BYTES, publish: { timeoutMs: 5_000 } })] });
  });

  afterAll(async () => {
    await closeAll(app);
    await raw.deleteQueues(queue);
    await raw.deleteExchanges(exchange, internal);
    await raw.close();
  });

  it(`batches of concurrent good and bad publishes (seed ${fz.FUZZ_SEED})`, async () => {
    const producer = app.get(MessageProducer);
    let cases = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(publishCase, { minLength: 1, maxLength: 6 }), async (batch) => {
        // Two plain publishes ride along with every batch: a good publish beside bad ones is never affected.
        const calls = [...batch.map(build), build({ key: 'witness', body: { witness: true }, properties: {}, headers: {}, fault: { kind: 'none' } })];
        calls.push(build({ key: 'witness', body: 'w', properties: {}, headers: {}, fault: { kind: 'none' } }));
        cases += calls.length;
        const results = await Promise.allSettled(calls.map((c) => producer.publish(c.exchange, c.routingKey, c.message, { ...c.options, headers: c.headers })));
        const wrong = calls.map((c, i) => fz.mismatch(c.expected, results[i]) && `${c.id} (${JSON.stringify(batch[i]?.fault)}): ${fz.mismatch(c.expected, results[i])}`);
        expect(wrong.filter(Boolean)).toEqual([]);

        // Everything confirmed sits in the queue before a sentinel published afterwards; the channel still works.
        const sentinel = build({ key: 'sentinel', body: 's', properties: {}, headers: {}, fault: { kind: 'none' } });
        await producer.publish(sentinel.exchange, sentinel.routingKey, sentinel.message, { headers: sentinel.headers });
        await waitFor(() => arrived.has(sentinel.id), `sentinel ${sentinel.id}`);

        const refusal = calls.some((c) => c.expected.outcome === 'refused');
        for (const call of calls) {
          const copies = arrived.get(call.id) ?? [];
          const delivered = call.expected.outcome === 'ok' && call.options.mandatory !== false;
          if (!delivered) expect([call.id, copies.length]).toEqual([call.id, 0]);
          // A refusal closes the channel; messages whose confirm it swallowed are sent again (at least once).
          else if (refusal) expect(copies.length).toBeGreaterThanOrEqual(1);
          else expect([call.id, copies.length]).toEqual([call.id, 1]);
          if (copies.length > 0) checkArrival(call, copies[0]);
          arrived.delete(call.id);
        }
        arrived.delete(sentinel.id);
      }),
      fz.fuzzParameters(fz.fuzzRuns(150)),
    );
    expect(arrived.size).toBe(0);
    process.stdout.write(`fuzz-publish: ${cases} publishes in ${fz.fuzzRuns(150)} batches, seed ${fz.FUZZ_SEED}\n`);
  }, 600_000);
});
