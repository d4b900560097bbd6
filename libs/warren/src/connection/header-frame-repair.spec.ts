import { TOO_DEEP_MARKER, headerTableOf, pruneDeepTables, withoutHeaders } from './header-frame-repair';
import { amqplibFile } from './amqplib-files';

const codec = amqplibFile<{ encodeTable(buffer: Buffer, value: unknown, offset: number): number; decodeFields(slice: Buffer): Record<string, unknown> }>('codec');

/** amqplib's own encoding of `headers`, as a field table with its length. */
function encoded(headers: unknown): Buffer {
  const buffer = Buffer.alloc(65_536);
  return Buffer.from(buffer.subarray(0, codec.encodeTable(buffer, headers, 0)));
}

/** A basic content-header payload: content type, then `table`, then a message id. */
function payload(table: Buffer): Buffer {
  const head = Buffer.alloc(14);
  head.writeUInt16BE(60, 0);
  head.writeUInt16BE(0x8000 | 0x2000 | 0x0080, 12);
  return Buffer.concat([head, Buffer.from([4]), Buffer.from('text'), table, Buffer.from([2]), Buffer.from('id')]);
}

function decodedHeaders(bytes: Buffer): Record<string, unknown> {
  const at = headerTableOf(bytes)!;
  return codec.decodeFields(bytes.subarray(at.at + 4, at.at + 4 + at.length));
}

const EVERY_TYPE = {
  b: { '!': 'byte', value: -1 },
  B: { '!': 'unsignedbyte', value: 255 },
  s: { '!': 'short', value: -2 },
  u: { '!': 'unsignedshort', value: 65_535 },
  I: { '!': 'int', value: -3 },
  i: { '!': 'unsignedint', value: 4_000_000_000 },
  l: { '!': 'long', value: 2 ** 40 },
  T: { '!': 'timestamp', value: 1_700_000_000 },
  f: { '!': 'float', value: 1.5 },
  d: 2.25,
  D: { '!': 'decimal', value: { places: 2, digits: 12_345 } },
  t: true,
  V: null,
  S: 'text ✓',
  x: Buffer.from([0, 1, 2]),
  A: [1, 'a', [2, { in: 'array' }]],
  F: { nested: { deeper: 'yes' } },
};

describe('header-frame repair: the table rewritten so that amqplib can decode it', () => {
  it('leaves a table of every field type, within the depth, byte for byte as it was', () => {
    const original = payload(encoded(EVERY_TYPE));
    const { payload: rewritten, pruned } = pruneDeepTables(original, 64);
    expect(pruned).toBe(0);
    expect(rewritten.equals(original)).toBe(true);
  });

  it('replaces tables and arrays below the depth by the marker, keeps their siblings and what follows the table', () => {
    const headers = { keep: 1, t: { a: { b: 'kept', c: { gone: true } } }, arr: [[['x']]], after: 'z' };
    const { payload: rewritten, pruned } = pruneDeepTables(payload(encoded(headers)), 2);
    expect(pruned).toBe(2);
    expect(decodedHeaders(rewritten)).toEqual({ keep: 1, t: { a: { b: 'kept', c: TOO_DEEP_MARKER } }, arr: [[TOO_DEEP_MARKER]], after: 'z' });
    expect(rewritten.subarray(-3).toString('latin1')).toBe('\u0002id');
  });

  it('refuses a table that is not well formed', () => {
    const bad = encoded({ ok: 'x' });
    bad.write('Z', 4 + 1 + 2, 'latin1'); // the type tag of 'ok'
    expect(() => pruneDeepTables(payload(bad), 64)).toThrow("unknown field type tag 'Z'");
    const short = encoded({ s: 'long enough' });
    short.writeUInt32BE(200, 4 + 1 + 1 + 1); // the string claims more bytes than the table has
    expect(() => pruneDeepTables(payload(short), 64)).toThrow('runs past the end');
  });

  it('can leave the headers out entirely, keeping the other properties', () => {
    const stripped = withoutHeaders(payload(encoded({ a: 1 })));
    expect(headerTableOf(stripped)).toBeUndefined();
    expect(stripped.readUInt16BE(12)).toBe(0x8000 | 0x0080);
    expect(stripped.subarray(14).toString('latin1')).toBe('\u0004text\u0002id');
  });

  it('ignores payloads without headers and of other classes', () => {
    const other = payload(encoded({ a: 1 }));
    other.writeUInt16BE(50, 0);
    expect(headerTableOf(other)).toBeUndefined();
    expect(pruneDeepTables(other, 1)).toEqual({ payload: other, pruned: 0 });
  });
});
