import { MalformedMessageError } from '../errors/malformed-message.error';
import { InvalidMessageError } from '../errors/invalid-message.error';
import { decodeBody, encodeBody } from './message-codec';

function catchError(action: () => unknown): InvalidMessageError {
  try {
    action();
  } catch (error) {
    return error as InvalidMessageError;
  }
  throw new Error('expected an error');
}

describe('encodeBody', () => {
  it('encodes objects and other JSON values as application/json', () => {
    expect(encodeBody({ a: 1 })).toEqual({ content: Buffer.from('{"a":1}'), contentType: 'application/json' });
    expect(encodeBody(42)).toEqual({ content: Buffer.from('42'), contentType: 'application/json' });
    expect(encodeBody(null)).toEqual({ content: Buffer.from('null'), contentType: 'application/json' });
  });

  it('sends strings as text/plain and Buffers as binary, untouched', () => {
    expect(encodeBody('héllo')).toEqual({ content: Buffer.from('héllo', 'utf8'), contentType: 'text/plain' });
    const bytes = Buffer.from([0, 255]);
    expect(encodeBody(bytes).content).toBe(bytes);
    expect(encodeBody(new Uint8Array([1, 2])).content).toEqual(Buffer.from([1, 2]));
  });

  it('gives undefined an empty body', () => {
    expect(encodeBody(undefined).content.length).toBe(0);
  });

  it('refuses values JSON cannot carry with InvalidMessageError naming the field', () => {
    const circular: Record<string, unknown> = {};
    circular.self = circular;
    for (const value of [circular, () => 1, { big: 10n }, Symbol('s')]) {
      const error = catchError(() => encodeBody(value, 'payload'));
      expect(error).toBeInstanceOf(InvalidMessageError);
      expect(error).toMatchObject({ field: 'payload', code: 'INVALID_MESSAGE' });
      expect(error.message).toMatch(/cannot be serialised as JSON/);
    }
  });
});

describe('decodeBody', () => {
  const body = (text: string) => Buffer.from(text, 'utf8');

  it('parses JSON content types, with parameters and +json suffixes', () => {
    expect(decodeBody(body('{"a":1}'), 'application/json')).toEqual({ a: 1 });
    expect(decodeBody(body('[1]'), 'Application/JSON; charset=utf-8')).toEqual([1]);
    expect(decodeBody(body('{"a":1}'), 'application/vnd.api+json')).toEqual({ a: 1 });
  });

  it('throws MalformedMessageError for a body declared JSON that is not', () => {
    expect(() => decodeBody(body('{"a":'), 'application/json')).toThrow(MalformedMessageError);
    expect(() => decodeBody(body('{"a":'), 'application/json')).toThrow(/declared application\/json but is not valid JSON/);
  });

  it('keeps text as text, even when it looks like JSON', () => {
    expect(decodeBody(body('{"a":1}'), 'text/plain')).toBe('{"a":1}');
  });

  it('parses a body without content type when it is JSON, else gives the string', () => {
    expect(decodeBody(body('{"a":1}'), undefined)).toEqual({ a: 1 });
    expect(decodeBody(body('7'), '')).toBe(7);
    expect(decodeBody(body('hello'), undefined)).toBe('hello');
  });

  it('gives other content types as a Buffer, and an empty body as undefined', () => {
    const bytes = Buffer.from([1, 2, 3]);
    expect(decodeBody(bytes, 'application/octet-stream')).toBe(bytes);
    expect(decodeBody(Buffer.alloc(0), 'application/json')).toBeUndefined();
    expect(decodeBody(Buffer.alloc(0), undefined)).toBeUndefined();
  });

  it("gives an empty text body as '' and an empty binary body as an empty Buffer (round trip of encodeBody)", () => {
    for (const value of ['', Buffer.alloc(0), undefined]) {
      const { content, contentType } = encodeBody(value);
      expect(decodeBody(content, contentType)).toEqual(value);
    }
    expect(decodeBody(Buffer.alloc(0), 'text/plain; charset=utf-8')).toBe('');
  });

  it('drops __proto__ keys so no payload can set a prototype', () => {
    const decoded = decodeBody(body('{"a":1,"__proto__":{"polluted":true},"b":{"__proto__":{"x":1}}}'), 'application/json') as Record<string, unknown>;
    expect(decoded).toEqual({ a: 1, b: {} });
    expect(Object.prototype.hasOwnProperty.call(decoded, '__proto__')).toBe(false);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it.each([
    ['\\u005f_proto__'],
    ['__proto\\u005f_'],
    ['\\u005F\\u005F\\u0070\\u0072\\u006F\\u0074\\u006F\\u005F\\u005F'],
  ])('drops __proto__ however the key is spelled: "%s"', (key) => {
    const text = `{"${key}": {"polluted": true}, "quantity": "DROP TABLE", "list": [{"${key}": []}], "deep": {"a": {"${key}": 1}}}`;
    for (const contentType of ['application/json', undefined]) {
      const decoded = decodeBody(body(text), contentType) as Record<string, unknown>;
      expect(decoded).toEqual({ quantity: 'DROP TABLE', list: [{}], deep: { a: {} } });
      expect(Object.prototype.hasOwnProperty.call(decoded, '__proto__')).toBe(false);
      expect(Object.prototype.hasOwnProperty.call((decoded.list as object[])[0], '__proto__')).toBe(false);
      expect(Object.getPrototypeOf(decoded)).toBe(Object.prototype);
    }
  });

  it('keeps escaped keys and text that only look alike', () => {
    expect(decodeBody(body('{"\\u005f_proto_": 1, "na\\u00efve": "caf\\u00e9", "s": "__proto__"}'), 'application/json')).toEqual({
      __proto_: 1,
      'na\u00efve': 'caf\u00e9',
      s: '__proto__',
    });
  });
});
