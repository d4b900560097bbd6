import * as fc from 'fast-check';

/**
 * Shared pieces of the fuzz suites: the seed, the run count, and generators of what AMQP can
 * carry. Every suite prints its seed; `FUZZ_SEED=<n> npx jest test/fuzz-…` replays a run, and
 * `FUZZ_RUNS=<n>` runs more (or fewer) cases than CI does.
 */
export const FUZZ_SEED = Number(process.env.FUZZ_SEED ?? 20261124);

export function fuzzRuns(ciDefault: number): number {
  return Number(process.env.FUZZ_RUNS ?? ciDefault);
}

/** fast-check parameters shared by every suite: seeded, no shrinking against a live broker. */
export function fuzzParameters(numRuns: number): fc.Parameters<unknown> {
  // Shrinking would replay dozens of broker round trips per step; the seed and path replay the case.
  return { seed: FUZZ_SEED, numRuns, endOnFailure: true, verbose: 1 };
}

function utf8Bytes(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}

/** Text of whole graphemes (any script, emoji, combining marks), at most `maxBytes` of UTF-8. */
export function text(maxLength: number, maxBytes = 255): fc.Arbitrary<string> {
  return fc.string({ unit: 'grapheme', maxLength }).filter((s) => utf8Bytes(s) <= maxBytes);
}

/** A header name Warren and the broker treat as the user's own (no `x-` or `warren-` prefix). */
const headerName: fc.Arbitrary<string> = text(12, 200).map((s) => `h-${s}`);

/** A header value AMQP field tables carry and amqplib gives back unchanged (nested, bounded). */
const headerValue: fc.Arbitrary<unknown> = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', maxDepth: 3 },
    text(20, 1000),
    fc.maxSafeInteger(),
    fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }),
    fc.double({ noNaN: true, noDefaultInfinity: true }).filter((n) => !Object.is(n, -0)),
    fc.boolean(),
    fc.constant(null),
    fc.uint8Array({ maxLength: 16 }).map((bytes) => Buffer.from(bytes)),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(headerName, tie('value'), { maxKeys: 4 }),
  ),
})).value;

export const headers: fc.Arbitrary<Record<string, unknown>> = fc.dictionary(headerName, headerValue, { maxKeys: 5 });

/** A body as a user passes it: JSON values, unicode or lone-surrogate text, bytes, nothing. */
export const body: fc.Arbitrary<unknown> = fc.oneof(
  { arbitrary: fc.jsonValue({ maxDepth: 3 }), weight: 4 },
  { arbitrary: fc.string({ unit: 'grapheme', maxLength: 40 }), weight: 2 },
  { arbitrary: fc.string({ unit: 'binary', maxLength: 20 }), weight: 1 },
  { arbitrary: fc.uint8Array({ maxLength: 64 }).map((bytes) => Buffer.from(bytes)), weight: 2 },
  { arbitrary: fc.constant(Buffer.alloc(0)), weight: 1 },
  { arbitrary: fc.constant(Buffer.alloc(1024 * 1024, 7)), weight: 1 },
);

/** The bytes Warren is expected to put on the wire for `value` (see the codec). */
export function expectedContent(value: unknown): Buffer {
  if (Buffer.isBuffer(value)) return value;
  if (typeof value === 'string') return Buffer.from(value, 'utf8');
  if (value === undefined) return Buffer.alloc(0);
  return Buffer.from(JSON.stringify(value), 'utf8');
}

/** A value JSON cannot carry. */
function unencodableBody(kind: 'circular' | 'bigint' | 'function'): unknown {
  if (kind === 'bigint') return { id: 1n };
  if (kind === 'function') return () => 1;
  const circular: Record<string, unknown> = { ok: true };
  circular.self = circular;
  return circular;
}

/** A header value AMQP cannot carry, and the path Warren reports it under below `at`. */
function unencodableHeader(kind: 'function' | 'symbol' | 'nan' | 'infinity' | 'bigint' | 'circular' | 'longKey', at: string): { value: unknown; path: string } {
  switch (kind) {
    case 'function':
      return { value: { deep: () => 1 }, path: `${at}.deep` };
    case 'symbol':
      return { value: [1, Symbol('s')], path: `${at}[1]` };
    case 'nan':
      return { value: NaN, path: at };
    case 'infinity':
      return { value: { x: -Infinity }, path: `${at}.x` };
    case 'bigint':
      return { value: 2n ** 70n, path: at };
    case 'circular': {
      const self: Record<string, unknown> = {};
      self.self = self;
      return { value: { self }, path: `${at}.self.self` };
    }
    case 'longKey':
      return { value: { ['k'.repeat(256)]: 1 }, path: `${at}.${'k'.repeat(40)}…` };
  }
}

const HEADER_FAULTS = ['function', 'symbol', 'nan', 'infinity', 'bigint', 'circular', 'longKey'] as const;

/** Faults a publish and a request can both have; at most one per call, so the outcome is known. */
export const sharedFault = fc.oneof(
  fc.constant({ kind: 'longExchange' as const }),
  fc.record({ kind: fc.constant('header' as const), what: fc.constantFrom(...HEADER_FAULTS) }),
  fc.constant({ kind: 'hugeHeaders' as const }),
  fc.record({ kind: fc.constant('body' as const), what: fc.constantFrom('circular' as const, 'bigint' as const, 'function' as const) }),
  fc.constant({ kind: 'tooLarge' as const }),
  fc.constant({ kind: 'missingExchange' as const }),
  fc.constant({ kind: 'internalExchange' as const }),
  fc.constant({ kind: 'unroutable' as const }),
);
export type SharedFault = typeof sharedFault extends fc.Arbitrary<infer F> ? F : never;

/** A call under construction: where it goes, what it carries, what it should do. */
export interface FuzzCall {
  exchange: string;
  routingKey: string;
  message: unknown;
  headers: Record<string, unknown>;
  expected: Expected;
}

export interface FaultContext {
  /** The field name Warren reports for headers (`headers`, `options.headers`) and for the body. */
  headersField: string;
  bodyField: string;
  internalExchange: string;
  missingExchange: string;
  maxMessageBytes: number;
}

/** Makes `call` go wrong the way `fault` says, and records the outcome Warren must report. */
export function applySharedFault(fault: SharedFault, call: FuzzCall, context: FaultContext): void {
  switch (fault.kind) {
    case 'longExchange':
      call.exchange = 'x'.repeat(256);
      call.expected = { outcome: 'invalid', field: 'exchange' };
      break;
    case 'header': {
      const bad = unencodableHeader(fault.what, `${context.headersField}.h-bad`);
      call.headers = { ...call.headers, 'h-bad': bad.value };
      call.expected = { outcome: 'invalid', field: bad.path };
      break;
    }
    case 'hugeHeaders':
      call.headers = { ...call.headers, 'h-huge': 'h'.repeat(70_000) };
      call.expected = { outcome: 'invalid', field: context.headersField };
      break;
    case 'body':
      call.message = unencodableBody(fault.what);
      call.expected = { outcome: 'invalid', field: context.bodyField };
      break;
    case 'tooLarge':
      call.message = Buffer.alloc(context.maxMessageBytes + 1);
      call.expected = { outcome: 'too-large' };
      break;
    case 'missingExchange':
      call.exchange = context.missingExchange;
      call.expected = { outcome: 'refused', code: 'NOT_FOUND' };
      break;
    case 'internalExchange':
      call.exchange = context.internalExchange;
      call.expected = { outcome: 'refused', code: 'ACCESS_REFUSED' };
      break;
    case 'unroutable':
      call.routingKey = 'nowhere';
      call.expected = { outcome: 'unroutable' };
      break;
  }
}

/** What a call should do. */
export type Expected =
  | { outcome: 'ok' }
  | { outcome: 'invalid'; field: string }
  | { outcome: 'too-large' }
  | { outcome: 'unroutable' }
  | { outcome: 'refused'; code: string };

/** Checks a settled call against what was expected; returns a description of the mismatch, if any. */
export function mismatch(expected: Expected, result: PromiseSettledResult<unknown>): string | undefined {
  const error = result.status === 'rejected' ? (result.reason as Error & { code?: string; field?: string }) : undefined;
  const got = error ? `${error.constructor.name} ${error.code ?? ''} ${error.field ?? ''}: ${error.message}` : 'resolved';
  const fail = (want: string) => `expected ${want}, got ${got}`;
  switch (expected.outcome) {
    case 'ok':
      return error ? fail('success') : undefined;
    case 'invalid':
      return error?.code === 'INVALID_MESSAGE' && error.field === expected.field ? undefined : fail(`InvalidMessageError on ${expected.field}`);
    case 'too-large':
      return error?.code === 'MESSAGE_TOO_LARGE' ? undefined : fail('MessageTooLargeError');
    case 'unroutable':
      return error?.code === 'NO_ROUTE' ? undefined : fail('UnroutableMessageError');
    case 'refused':
      return error?.code === expected.code ? undefined : fail(`PublishError ${expected.code}`);
  }
}

/**
 * Headers as a plain amqplib client must hand them over: ordinary prototypes (amqplib calls
 * `hasOwnProperty` on header objects) and numbers beyond int32 as explicit doubles (amqplib's
 * guess throws for them). Warren does both by itself.
 */
export function forAmqplib(value: unknown): unknown {
  if (typeof value === 'number' && !(Number.isInteger(value) && Math.abs(value) < 2 ** 31)) return { '!': 'double', value };
  if (Array.isArray(value)) return value.map(forAmqplib);
  if (value === null || typeof value !== 'object' || Buffer.isBuffer(value)) return value;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, forAmqplib(v)]));
}

/** A key as JSON text may spell it: each character as itself or as a `\uXXXX` escape (either hex case). */
function spelledKey(key: string): fc.Arbitrary<string> {
  return fc.tuple(...[...key].map(() => fc.constantFrom('plain', 'lower', 'upper'))).map((ways) =>
    [...key]
      .map((char, i) => {
        if (ways[i] === 'plain') return char;
        const hex = char.charCodeAt(0).toString(16).padStart(4, '0');
        return `\\u${ways[i] === 'upper' ? hex.toUpperCase() : hex}`;
      })
      .join(''),
  );
}

/** The keys a payload must not be able to use to reach a prototype or hide its DTO's class. */
const DANGEROUS_KEYS = ['__proto__', 'constructor', 'prototype'] as const;

/**
 * JSON object text shaped like a DTO payload (`sku`, `quantity`, valid or not) with one of the
 * dangerous keys, spelled any way, at the top or one level down.
 */
export const dangerousKeyJson: fc.Arbitrary<string> = fc
  .record({
    key: fc.constantFrom(...DANGEROUS_KEYS).chain(spelledKey),
    value: fc.oneof(fc.constant({}), fc.constant([]), fc.jsonValue({ maxDepth: 2 })),
    sku: fc.oneof(fc.string({ maxLength: 8 }), fc.integer()),
    quantity: fc.oneof(fc.integer(), fc.constant('DROP TABLE')),
    nested: fc.boolean(),
  })
  .map(({ key, value, sku, quantity, nested }) => {
    const danger = `"${key}": ${JSON.stringify(value)}`;
    const fields = `"sku": ${JSON.stringify(sku)}, "quantity": ${JSON.stringify(quantity)}`;
    return nested ? `{${fields}, "inner": {${danger}}}` : `{${danger}, ${fields}}`;
  });

/** Paths in `value` of objects that own a `__proto__` key or whose prototype is not a plain one. */
export function prototypeTampering(value: unknown, path = '$', seen = new Set<unknown>()): string[] {
  if (value === null || typeof value !== 'object' || Buffer.isBuffer(value) || seen.has(value)) return [];
  seen.add(value);
  const found: string[] = [];
  if (Object.prototype.hasOwnProperty.call(value, '__proto__')) found.push(`${path}.__proto__ (own key)`);
  const proto = Object.getPrototypeOf(value);
  if (path !== '$' && proto !== Object.prototype && proto !== Array.prototype) found.push(`${path} (prototype replaced)`);
  for (const [key, child] of Object.entries(value)) found.push(...prototypeTampering(child, `${path}.${key}`, seen));
  return found;
}
