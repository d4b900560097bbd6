import { INestApplication, Injectable } from '@nestjs/common';
import type { ConsumeMessage } from 'amqplib';
import * as fc from 'fast-check';
import { ConnectionLostError, RabbitPayload, RabbitRequest, RabbitRPC, RpcClient, WarrenModule } from 'nestjs-warren';
import { closeAll, startApp } from './support/app';
import { RawClient, unique } from './support/broker';
import * as fz from './support/fuzz';

const MAX_MESSAGE_BYTES = 2 * 1024 * 1024;
const fault = fc.oneof(
  { arbitrary: fc.constant({ kind: 'none' as const }), weight: 12 },
  { arbitrary: fz.sharedFault, weight: 8 },
  fc.constant({ kind: 'longRoutingKey' as const }),
  fc.record({ kind: fc.constant('timeout' as const), value: fc.constantFrom(-1, NaN, Infinity, 2 ** 31, '100' as unknown as number) }),
);
type Fault = typeof fault extends fc.Arbitrary<infer F> ? F : never;

const requestCase = fc.record({
  key: fz.text(30, 200),
  /** Echo the raw message, or the decoded payload. */
  echo: fc.constantFrom('raw' as const, 'payload' as const),
  payload: fz.body,
  timeoutMs: fc.option(fc.oneof(fc.integer({ min: 5_000, max: 10_000 }), fc.double({ min: 5_000, max: 10_000, noNaN: true })), { nil: undefined }),
  headers: fz.headers,
  fault,
});
type RequestCase = typeof requestCase extends fc.Arbitrary<infer C> ? C : never;

interface Call extends fz.FuzzCall {
  timeoutMs?: number;
  echo: 'raw' | 'payload';
}

/** What the raw echo handler answers: the bytes, type and user headers it received. */
function rawEcho(message: ConsumeMessage) {
  const headers = Object.fromEntries(Object.entries(message.properties.headers ?? {}).filter(([name]) => name.startsWith('h-')));
  return { content: message.content.toString('base64'), contentType: message.properties.contentType ?? null, headers };
}

/** Fuzzes `RpcClient.request` against an echo handler on the real broker: a reply, or a typed error at once — never a timeout. */
describe('fuzz: request (real broker)', () => {
  const exchange = unique('fz.rpc');
  const internal = unique('fz.rpc.internal');
  const queue = unique('q.fz.rpc');
  let app: INestApplication;
  let raw: RawClient;

  @Injectable()
  class Echo {
    @RabbitRPC({ exchange, routingKey: 'raw.#', queue })
    raw(@RabbitRequest() message: ConsumeMessage) {
      return rawEcho(message);
    }

    @RabbitRPC({ exchange, routingKey: 'payload.#', queue })
    payload(@RabbitPayload() payload: unknown) {
      return payload;
    }
  }

  function build(c: RequestCase): Call {
    const call: Call = {
      exchange,
      routingKey: `${c.echo}.${c.key}`,
      message: c.payload,
      headers: c.headers,
      timeoutMs: c.timeoutMs,
      expected: { outcome: 'ok' },
      echo: c.echo,
    };
    const f: Fault = c.fault;
    switch (f.kind) {
      case 'none':
        break;
      case 'longRoutingKey':
        call.routingKey = `${c.echo}.${'r'.repeat(256)}`;
        call.expected = { outcome: 'invalid', field: 'routingKey' };
        break;
      case 'timeout':
        call.timeoutMs = f.value;
        call.expected = { outcome: 'invalid', field: 'options.timeoutMs' };
        break;
      default:
        fz.applySharedFault(f, call, {
          headersField: 'options.headers',
          bodyField: 'payload',
          internalExchange: internal,
          missingExchange: unique('fz.missing'),
          maxMessageBytes: MAX_MESSAGE_BYTES,
        });
    }
    return call;
  }

  /** The reply the echo handler must have sent for `call`. */
  function expectedReply(call: Call): unknown {
    if (call.echo === 'payload') return call.message;
    const content = fz.expectedContent(call.message);
    const contentType = Buffer.isBuffer(call.message) ? 'application/octet-stream' : typeof call.message === 'string' ? 'text/plain' : 'application/json';
    // Headers travel as JSON in the reply: compare them the way they come back.
    const headers = JSON.parse(JSON.stringify(call.headers));
    return { content: content.toString('base64'), contentType, headers };
  }

  function expectReply(actual: unknown, expected: unknown): void {
    // jest compares Buffers element by element; a 1 MiB body would take seconds.
    if (Buffer.isBuffer(expected)) expect(Buffer.isBuffer(actual) && actual.equals(expected)).toBe(true);
    else expect(actual).toEqual(expected);
  }

  beforeAll(async () => {
    raw = await RawClient.connect();
    await raw.channel.assertExchange(internal, 'topic', { autoDelete: true, internal: true });
    app = await startApp({
      imports: [WarrenModule.forRoot({ exchanges: [{ name: exchange, options: { autoDelete: true } }], maxMessageBytes: MAX_MESSAGE_BYTES, rpc: { timeoutMs: 10_000 } })],
      providers: [Echo],
    });
  });

  afterAll(async () => {
    await closeAll(app);
    await raw.deleteQueues(queue);
    await raw.deleteExchanges(exchange, internal);
    await raw.close();
  });

  it(`batches of concurrent good and bad requests against an echo handler (seed ${fz.FUZZ_SEED})`, async () => {
    const rpc = app.get(RpcClient);
    let cases = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(requestCase, { minLength: 1, maxLength: 6 }), async (batch) => {
        const calls = batch.map(build);
        cases += calls.length;
        const results = await Promise.allSettled(calls.map((c) => rpc.request(c.exchange, c.routingKey, c.message, { headers: c.headers, ...(c.timeoutMs === undefined ? {} : { timeoutMs: c.timeoutMs }) })));
        // A request the broker refuses closes the RPC channel: the other requests sent on it may then fail
        // with ConnectionLostError (documented; re-sending could run a handler twice).
        const refusals = calls.filter((c) => c.expected.outcome === 'refused').length;
        const wrong: string[] = [];
        calls.forEach((call, i) => {
          const result = results[i];
          const others = refusals - (call.expected.outcome === 'refused' ? 1 : 0);
          const lost = others > 0 && result.status === 'rejected' && result.reason instanceof ConnectionLostError;
          const reachedBroker = call.expected.outcome !== 'invalid' && call.expected.outcome !== 'too-large';
          if (reachedBroker && lost) return;
          const problem = fz.mismatch(call.expected, result);
          if (problem) wrong.push(`#${i} ${JSON.stringify(batch[i].fault)}: ${problem}`);
          else if (result.status === 'fulfilled') expectReply(result.value, expectedReply(call));
        });
        expect(wrong).toEqual([]);
        // The client keeps serving.
        await expect(rpc.request(exchange, 'payload.check', { after: true })).resolves.toEqual({ after: true });
      }),
      fz.fuzzParameters(fz.fuzzRuns(150)),
    );
    expect(rpc.pendingCount).toBe(0);
    process.stdout.write(`fuzz-request: ${cases} requests in ${fz.fuzzRuns(150)} batches, seed ${fz.FUZZ_SEED}\n`);
  }, 600_000);
});
