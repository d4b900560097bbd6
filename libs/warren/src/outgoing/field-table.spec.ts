import fc from 'fast-check';
import { InvalidMessageError } from '../errors/invalid-message.error';
import { MAX_HEADERS_BYTES, checkHeaders } from './field-table';
import { amqplibFile } from '../connection/amqplib-files';

// amqplib's own field-table codec: what Warren accepts must encode, and decode to what was meant.
const codec = amqplibFile<{
  encodeTable(buffer: Buffer, value: unknown, offset: number): number;
  decodeFields(slice: Buffer): Record<string, unknown>;
}>('codec');

function roundTrip(headers: Record<string, unknown>): Record<string, unknown> {
  const buffer = Buffer.alloc(65_536);
  const size = codec.encodeTable(buffer, headers, 0);
  return codec.decodeFields(buffer.subarray(4, size));
}

function refusal(headers: unknown): InvalidMessageError {
  try {
    checkHeaders('headers', headers);
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidMessageError);
    return error as InvalidMessageError;
  }
  throw new Error('expected checkHeaders to refuse the headers');
}

const SEED = Number(process.env.FUZZ_SEED ?? 20261124);

describe('checkHeaders (publish)', () => {
  it('passes ordinary headers through as the same object', () => {
    const headers = { a: 'x', n: 42, f: 1.5, t: true, z: null, list: [1, 'two'], nested: { b: Buffer.from('hi') } };
    expect(checkHeaders('headers', headers)).toBe(headers);
    expect(roundTrip(headers)).toEqual(headers);
  });

  it('gives bigints, Dates and large doubles an exact AMQP form without touching the caller’s object', () => {
    const when = new Date('2026-11-24T10:00:00.900Z');
    const headers = { id: 9_007_199_254_740_991n, at: when, big: 2 ** 60 + 0.5 * 2 ** 10, deep: { list: [5n] } };
    const checked = checkHeaders('headers', headers)!;
    expect(checked).not.toBe(headers);
    expect(headers.id).toBe(9_007_199_254_740_991n);
    expect(roundTrip(checked)).toEqual({
      id: 9_007_199_254_740_991,
      at: { '!': 'timestamp', value: Math.floor(when.getTime() / 1000) },
      big: 2 ** 60 + 512,
      deep: { list: [5] },
    });
  });

  it.each([
    [{ trace: { id: () => 1 } }, 'headers.trace.id', /function/],
    [{ s: Symbol('x') }, 'headers.s', /symbol/],
    [{ n: NaN }, 'headers.n', /finite/],
    [{ list: [1, Infinity] }, 'headers.list[1]', /finite/],
    [{ list: [1, undefined] }, 'headers.list[1]', /undefined/],
    [{ id: 2n ** 63n }, 'headers.id', /string/],
    [{ m: new Map() }, 'headers.m', /Map/],
    [{ d: new Date(NaN) }, 'headers.d', /valid/],
    [{ ['k'.repeat(256)]: 1 }, `headers.${'k'.repeat(40)}…`, /256 bytes/],
    [JSON.parse('{"__proto__": {"x": 1}}'), 'headers.__proto__', /prototype/],
    [{ t: { '!': 'int8', value: 300 } }, 'headers.t', /int8/],
    [{ t: { '!': 'nonsense', value: 1 } }, 'headers.t', /not an AMQP field type/],
  ])('refuses %p at %s', (headers, field, reason) => {
    const error = refusal(headers);
    expect(error.field).toBe(field);
    expect(error.reason).toMatch(reason);
  });

  it('refuses a circular header with the path where it loops', () => {
    const trace: Record<string, unknown> = { id: 'x' };
    trace.parent = { child: trace };
    expect(refusal({ trace }).field).toBe('headers.trace.parent.child');
  });

  it('refuses headers that do not fit an AMQP header frame, or nest too deep', () => {
    expect(refusal({ big: 'x'.repeat(MAX_HEADERS_BYTES) }).reason).toMatch(/at most 64000 fit/);
    let deep: Record<string, unknown> = {};
    for (let i = 0; i < 100; i++) deep = { d: deep };
    expect(refusal(deep).reason).toMatch(/deeper than 64/);
    expect(refusal('not a table').field).toBe('headers');
  });

  it('property: whatever it accepts, amqplib encodes; whatever it refuses is an InvalidMessageError under headers', () => {
    const leaf = fc.oneof(
      fc.string({ unit: 'grapheme' }),
      fc.integer(),
      fc.double(),
      fc.boolean(),
      fc.constant(null),
      fc.constant(undefined),
      fc.bigInt(),
      fc.date({ noInvalidDate: false }),
      fc.uint8Array({ maxLength: 20 }).map((bytes) => Buffer.from(bytes)),
      fc.constantFrom(() => 1, Symbol('s'), new Map(), { '!': 'int16', value: 40_000 }, { '!': 'double', value: NaN }),
    );
    const { tree } = fc.letrec((tie) => ({
      tree: fc.oneof({ depthSize: 'small' }, leaf, fc.array(tie('tree'), { maxLength: 4 }), fc.dictionary(fc.string(), tie('tree'), { maxKeys: 4 })),
    }));
    fc.assert(
      fc.property(fc.dictionary(fc.string({ unit: 'grapheme' }), tree, { maxKeys: 6 }), (headers) => {
        let checked: Record<string, unknown> | undefined;
        try {
          checked = checkHeaders('headers', headers);
        } catch (error) {
          expect(error).toBeInstanceOf(InvalidMessageError);
          expect((error as InvalidMessageError).field.startsWith('headers')).toBe(true);
          return;
        }
        expect(() => roundTrip(checked ?? {})).not.toThrow();
      }),
      { seed: SEED, numRuns: 500 },
    );
  });
});

// amqplib 2.x encodes a content header's `headers` into a 64 KiB buffer and throws a RangeError past it.
const defs = amqplibFile<{ BasicProperties: number; encodeProperties(id: number, channel: number, size: number, fields: object): Buffer }>('defs');
const encodeContentHeader = (headers: Record<string, unknown>) => defs.encodeProperties(defs.BasicProperties, 1, 10, { headers, contentType: 'application/json' });

describe("checkHeaders and amqplib 2.x's RangeError for header tables over 64 KiB", () => {
  const shapes: Array<[string, (bytes: number) => Record<string, unknown>]> = [
    ['one long string', (bytes) => ({ big: 'x'.repeat(bytes) })],
    ['multi-byte text', (bytes) => ({ text: 'é'.repeat(Math.floor(bytes / 2)) })],
    ['many small entries', (bytes) => Object.fromEntries(Array.from({ length: Math.floor(bytes / 12) }, (_, i) => [`k${i}`, i % 2 ? 'abcd' : 70_000]))],
    ['nested tables and arrays', (bytes) => ({ a: { b: ['y'.repeat(Math.floor(bytes / 2)), { c: 'z'.repeat(Math.floor(bytes / 2)) }] } })],
  ];
  it.each(shapes)('%s: Warren refuses with InvalidMessageError whatever amqplib would refuse with a RangeError', (_shape, make) => {
    let amqplibRefused = 0;
    for (let bytes = 63_500; bytes <= 66_500; bytes += 37) {
      const headers = make(bytes);
      let checked: Record<string, unknown> | undefined;
      try {
        checked = checkHeaders('headers', headers);
      } catch (error) {
        expect(error).toBeInstanceOf(InvalidMessageError);
        if (encodeThrows(headers)) amqplibRefused++;
        continue;
      }
      expect(() => encodeContentHeader(checked ?? {})).not.toThrow();
    }
    expect(amqplibRefused).toBeGreaterThan(0); // the sizes tried reach past amqplib's limit
  });
});

function encodeThrows(headers: Record<string, unknown>): boolean {
  try {
    encodeContentHeader(headers);
    return false;
  } catch (error) {
    expect(error).toBeInstanceOf(RangeError);
    return true;
  }
}

describe('checkHeaders (copy of a received message)', () => {
  it('keeps values another client sent that amqplib would not encode back as they are', () => {
    const received = { nan: NaN, inf: -Infinity, list: [NaN], ts: { '!': 'timestamp', value: 5 } };
    const copy = checkHeaders('headers', received, 'copy')!;
    const back = roundTrip(copy);
    expect(back.nan).toBeNaN();
    expect(back.inf).toBe(-Infinity);
    expect((back.list as number[])[0]).toBeNaN();
    expect(back.ts).toEqual({ '!': 'timestamp', value: 5 });
  });
});
