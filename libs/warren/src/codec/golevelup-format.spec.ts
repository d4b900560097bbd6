import { InvalidMessageError } from '../errors/invalid-message.error';
import { MalformedMessageError } from '../errors/malformed-message.error';
import { decodeGolevelup, encodeGolevelup } from './golevelup-format';

/** golevelup 9's own encoding and decoding (AmqpConnection.publish; its consumers' default deserializer). */
const golevelupEncode = (value: unknown): Buffer =>
  Buffer.isBuffer(value) ? value : value instanceof Uint8Array ? Buffer.from(value) : value != null ? Buffer.from(JSON.stringify(value)) : Buffer.alloc(0);
const golevelupDecode = (content: Buffer): unknown => JSON.parse(content.toString());

describe("golevelup's wire format", () => {
  const values: unknown[] = [{ a: [1, { b: null }] }, [], 0, -1.5, 'text', '', '"q"', 'ünï', false, null, undefined, Buffer.from('raw'), new Uint8Array([1, 2])];

  it.each(values.map((value) => [value]))('encodes %p byte for byte as golevelup does, with no content type', (value) => {
    const body = encodeGolevelup(value, 'message');
    expect(body.content.equals(golevelupEncode(value))).toBe(true);
    expect(body.contentType).toBeUndefined();
  });

  it('uses the serializer for everything but Buffers, typed arrays and null/undefined, as golevelup does', () => {
    const serializer = (value: unknown) => Buffer.from(`<${String(value)}>`);
    expect(encodeGolevelup('x', 'message', serializer).content.toString()).toBe('<x>');
    expect(encodeGolevelup(Buffer.from('b'), 'message', serializer).content.toString()).toBe('b');
    expect(encodeGolevelup(null, 'message', serializer).content).toHaveLength(0);
  });

  it('refuses what JSON cannot carry with InvalidMessageError (golevelup would throw a TypeError)', () => {
    expect(() => encodeGolevelup(10n, 'message')).toThrow(InvalidMessageError);
    expect(() => encodeGolevelup(() => 1, 'payload')).toThrow(/payload/);
    expect(() => encodeGolevelup('x', 'message', () => 'not a buffer' as never)).toThrow(/must return a Buffer/);
  });

  it("decodes a body without a content type as golevelup's JSON.parse does, and fails where it fails", () => {
    for (const value of values.filter((v) => v !== null && v !== undefined)) {
      const content = golevelupEncode(value);
      let theirs: unknown;
      try {
        theirs = golevelupDecode(content);
      } catch {
        expect(() => decodeGolevelup(content, undefined)).toThrow(MalformedMessageError);
        continue;
      }
      expect(decodeGolevelup(content, undefined)).toEqual(theirs);
    }
    expect(() => decodeGolevelup(Buffer.alloc(0), undefined)).toThrow(MalformedMessageError); // golevelup's null: an empty body
  });

  it('decodes a body with a content type (Warren, other clients) by that type', () => {
    expect(decodeGolevelup(Buffer.from('plain'), 'text/plain')).toBe('plain');
    expect(decodeGolevelup(Buffer.from('{"a":1}'), 'application/json')).toEqual({ a: 1 });
    expect(decodeGolevelup(Buffer.from([1]), 'application/octet-stream')).toEqual(Buffer.from([1]));
  });

  it('drops __proto__ keys as Warren always does', () => {
    const decoded = decodeGolevelup(Buffer.from('{"__proto__":{"polluted":true},"ok":1}'), undefined) as Record<string, unknown>;
    expect(Object.prototype.hasOwnProperty.call(decoded, '__proto__')).toBe(false);
    expect(decoded.ok).toBe(1);
  });
});
