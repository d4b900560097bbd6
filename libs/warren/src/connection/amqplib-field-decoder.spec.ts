import { join } from 'path';
import { WarrenConfigurationError } from '../errors/configuration.error';
import { AmqplibInternals, FrameReader, amqplibAt, guard, guardAmqplibHeaderDecoding, guardedRecvFrame, isGuarded } from './amqplib-field-decoder';
import { TOO_DEEP_MARKER } from './header-frame-repair';
import { checkFrameReader, entry, longString, table } from './frame-reader-check';
import { amqplibRoot } from './amqplib-files';

/** A header table `depth` tables deep (`{ a: { a: … { leaf: 'bottom' } } }`), built without recursion. */
function nested(depth: number): Buffer {
  const leaf = table(entry('leaf', 'S', longString('bottom')));
  const out = Buffer.alloc(7 * depth + leaf.length);
  leaf.copy(out, 7 * depth);
  for (let i = 0; i < depth; i++) {
    const at = 7 * i;
    out.writeUInt32BE(out.length - at - 4, at); // this table's length
    out.write('\u0001aF', at + 4, 'latin1'); // key 'a', a table
  }
  return out;
}

/** A basic content header: content type, `headers`, delivery mode 2 and a message id after the headers. */
function contentHeader(headers: Buffer): Buffer {
  const head = Buffer.alloc(14);
  head.writeUInt16BE(60, 0);
  head.writeBigUInt64BE(5n, 4);
  head.writeUInt16BE(0x8000 | 0x2000 | 0x1000 | 0x0080, 12);
  const payload = Buffer.concat([head, Buffer.from([16]), Buffer.from('application/json'), headers, Buffer.from([2, 2]), Buffer.from('id')]);
  const frame = Buffer.alloc(8 + payload.length);
  frame.writeUInt8(2, 0);
  frame.writeUInt16BE(1, 1);
  frame.writeUInt32BE(payload.length, 3);
  payload.copy(frame, 7);
  frame.writeUInt8(0xce, 7 + payload.length);
  return frame;
}

type Decoded = { id: number; channel: number; size: number; fields: { headers: Record<string, unknown>; contentType: string; deliveryMode: number; messageId: string } };

function read(recvFrame: FrameReader['recvFrame'], bytes: Buffer): Decoded {
  const reader = { rest: bytes, recvSinceLastCheck: false, stream: { read: () => null }, recvFrame };
  return reader.recvFrame() as Decoded;
}

function at(headers: unknown, depth: number): unknown {
  let value = headers;
  for (let i = 0; i < depth; i++) value = (value as Record<string, unknown>).a;
  return value;
}

// Warren's amqplib (2.x), and 0.10.x (a dev dependency under the alias amqplib-0.10), which apps may still pin.
const roots: Array<[string, string]> = [
  ['2.x', amqplibRoot()],
  ['0.10', join(amqplibRoot(), '..', 'amqplib-0.10')],
];

describe.each(roots)('guarding amqplib %s against header tables it cannot decode (issue 22)', (_version, root) => {
  const amqplib = amqplibAt(root);
  const original = amqplib.Connection.prototype.recvFrame;
  const guarded = guardedRecvFrame(amqplib);

  it("amqplib's own reader overflows the stack on a table 9,000 levels deep", () => {
    expect(() => read(original, contentHeader(nested(9_000)))).toThrow('Maximum call stack size exceeded'); // a RangeError, of whichever realm
  });

  it('Warren decodes it: tables below 64 levels become a marker, the reason is a header, the other properties are intact', () => {
    const frame = read(guarded, contentHeader(nested(9_000)));
    expect(frame).toMatchObject({ id: 60, channel: 1, size: 5, fields: { contentType: 'application/json', deliveryMode: 2, messageId: 'id' } });
    const { headers } = frame.fields;
    expect(headers['warren-headers-undecodable']).toMatch(/deeper than 64 levels/);
    expect(typeof at(headers, 64)).toBe('object');
    expect(at(headers, 65)).toBe(TOO_DEEP_MARKER);
  });

  it('decodes a table 64 levels deep exactly as amqplib does', () => {
    const bytes = contentHeader(nested(64));
    expect(read(guarded, bytes)).toEqual(read(original, bytes));
    expect(at(read(guarded, bytes).fields.headers, 64)).toEqual({ leaf: 'bottom' });
  });

  it('a header table that is not well formed: the headers are left out and say why, the rest is decoded', () => {
    const frame = read(guarded, contentHeader(table(entry('ok', 'S', longString('x')), entry('bad', 'Z', Buffer.alloc(0)))));
    expect(frame.fields.messageId).toBe('id');
    expect(Object.keys(frame.fields.headers)).toEqual(['warren-headers-undecodable']);
    expect(frame.fields.headers['warren-headers-undecodable']).toMatch(/could not be decoded \(Unexpected type tag "Z"\)/);
  });

  it('a method frame amqplib cannot decode still fails as amqplib makes it fail', () => {
    const bad = Buffer.from([1, 0, 1, 0, 0, 0, 4, 0, 0xff, 0xff, 0xff, 0xce]); // unknown method id
    expect(() => read(guarded, bad)).toThrow();
  });

  it('is installed once: guarding again changes nothing', () => {
    guard(amqplib);
    const installed = amqplib.Connection.prototype.recvFrame;
    guard(amqplib);
    expect(amqplib.Connection.prototype.recvFrame).toBe(installed);
    expect(isGuarded(amqplib.Connection.prototype)).toBe(true);
    expect(read(installed, contentHeader(nested(9_000))).fields.headers['warren-headers-undecodable']).toBeDefined();
  });

  it("refuses a frame over the connection's maxFrameSize exactly when amqplib does (2.3's check; 0.10 has none)", () => {
    const body = Buffer.alloc(7 + 5_000 + 1);
    body.writeUInt8(3, 0);
    body.writeUInt16BE(1, 1);
    body.writeUInt32BE(5_000, 3);
    body.writeUInt8(0xce, 7 + 5_000);
    const readWith = (recvFrame: FrameReader['recvFrame']) => {
      const reader = { rest: body, recvSinceLastCheck: false, maxFrameSize: 4_096, stream: { read: () => null }, recvFrame };
      try {
        return reader.recvFrame() ? 'read' : 'incomplete';
      } catch (error) {
        return (error as Error).message;
      }
    };
    expect(readWith(guarded)).toEqual(readWith(original));
    expect(readWith(guarded)).toEqual(amqplib.version.startsWith('0.') ? 'read' : 'Frame size 5000 exceeds maxFrameSize 4096');
  });

  it("refuses a guard that would drop amqplib's frame size check", () => {
    if (amqplib.version.startsWith('0.')) return; // 0.10 has no such check to keep
    const lenient = { ...amqplib, parseFrame: (bin: Buffer) => amqplib.parseFrame(bin, 0) };
    const mismatch = checkFrameReader(original, guardedRecvFrame(lenient));
    expect(mismatch).toMatch(/differ on a frame over maxFrameSize/);
  });

  it('refuses, loudly, an amqplib whose frame reader works differently', () => {
    function recvFrame(this: FrameReader) {
      const frame = amqplib.parseFrame(this.rest);
      if (!frame) return false; // never reads the socket: not the reader Warren replicates
      this.rest = frame.rest;
      return amqplib.decodeFrame(frame);
    }
    const other: AmqplibInternals = { ...amqplib, version: '9.9.9', Connection: { prototype: { recvFrame } as unknown as FrameReader } };
    expect(() => guard(other)).toThrow(WarrenConfigurationError);
    expect(() => guard(other)).toThrow(/cannot guard amqplib 9\.9\.9 .*frames split across reads/);
  });
});

describe('the amqplib connections use', () => {
  it("is Warren's 2.x (amqp-connection-manager shares it), and connecting guards it", () => {
    const copies = guardAmqplibHeaderDecoding();
    expect(copies.map((copy) => copy.root)).toEqual([amqplibRoot()]);
    expect(copies[0].version).toMatch(/^2\./);
    expect(isGuarded(copies[0].Connection.prototype)).toBe(true);
  });
});
