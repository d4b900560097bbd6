import { InvalidMessageError } from '../errors/invalid-message.error';
import { MAX_SHORT_STRING_BYTES, describe } from './amqp-values';

/**
 * amqplib encodes every property table into one 64 KiB scratch buffer; Warren keeps headers
 * comfortably inside it (and inside the broker's default 128 KiB frame).
 */
export const MAX_HEADERS_BYTES = 64_000;
/** Deeper nesting would overflow amqplib's recursive encoder long before the size limit. */
export const MAX_HEADER_DEPTH = 64;

/** Doubles at or above 2^50 are sent by amqplib as 64-bit integers, losing any fraction. */
const FLOAT_AS_INTEGER_FROM = 2 ** 50;

/**
 * `publish`: refuse what AMQP field tables cannot carry, naming the path to it.
 * `copy`: headers of a received message, copied onto a retry or dead letter: never refuse, only
 * give values amqplib would otherwise refuse (NaN or Infinity sent by another client) an explicit type.
 */
export type HeaderMode = 'publish' | 'copy';

interface Walk {
  mode: HeaderMode;
  bytes: number;
  ancestors: Set<object>;
}

type TypedCheck = { bytes: number; ok: (value: unknown) => boolean; expects: string };

const int = (min: number, max: number, bytes: number): TypedCheck => ({
  bytes,
  ok: (v) => typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max,
  expects: `a whole number from ${min} to ${max}`,
});
const anyNumber = (bytes: number): TypedCheck => ({ bytes, ok: (v) => typeof v === 'number', expects: 'a number' });

/** amqplib's explicit-type notation `{ '!': type, value }`, and what each type accepts. */
const TYPED: Record<string, TypedCheck> = {
  byte: int(-128, 127, 2),
  int8: int(-128, 127, 2),
  unsignedbyte: int(0, 255, 2),
  uint8: int(0, 255, 2),
  short: int(-32768, 32767, 3),
  int16: int(-32768, 32767, 3),
  unsignedshort: int(0, 65535, 3),
  uint16: int(0, 65535, 3),
  int: int(-(2 ** 31), 2 ** 31 - 1, 5),
  int32: int(-(2 ** 31), 2 ** 31 - 1, 5),
  unsignedint: int(0, 2 ** 32 - 1, 5),
  uint32: int(0, 2 ** 32 - 1, 5),
  long: int(Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER, 9),
  int64: int(Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER, 9),
  timestamp: int(0, Number.MAX_SAFE_INTEGER, 9),
  double: anyNumber(9),
  float64: anyNumber(9),
  float: anyNumber(5),
  decimal: {
    bytes: 6,
    ok: (v) => {
      const d = v as { places?: unknown; digits?: unknown } | null;
      return !!d && Number.isInteger(d.places) && (d.places as number) >= 0 && (d.places as number) <= 255 &&
        Number.isInteger(d.digits) && (d.digits as number) >= 0 && (d.digits as number) <= 2 ** 32 - 1;
    },
    expects: '{ places: 0..255, digits: 0..2^32-1 }',
  },
};

/**
 * Checks message headers before they reach amqplib and returns what to hand it: the same object
 * when nothing needs changing, else a copy (the caller's object is never modified) in which
 * bigints become numbers, Dates AMQP timestamps, and numbers amqplib would mangle explicit doubles.
 */
export function checkHeaders(field: string, headers: unknown, mode: HeaderMode = 'publish'): Record<string, unknown> | undefined {
  if (headers === undefined || headers === null) return undefined;
  if (!isPlainObject(headers)) {
    if (mode === 'copy') return undefined;
    throw new InvalidMessageError(field, `must be a plain object of header names to values, got ${describe(headers)}`);
  }
  const walk: Walk = { mode, bytes: 4, ancestors: new Set() };
  const checked = table(headers, field, walk, 0);
  if (walk.bytes > MAX_HEADERS_BYTES) {
    throw new InvalidMessageError(field, `take ${walk.bytes} bytes encoded; at most ${MAX_HEADERS_BYTES} fit in an AMQP header frame`);
  }
  return checked;
}

function table(source: Record<string, unknown>, path: string, walk: Walk, depth: number): Record<string, unknown> {
  enter(source, path, walk, depth);
  let copy: Record<string, unknown> | undefined;
  // for…in, as amqplib's encoder iterates: what it would send is what gets checked.
  for (const key in source) {
    const original = source[key];
    if (original === undefined) continue; // amqplib leaves it out
    const keyBytes = Buffer.byteLength(key, 'utf8');
    const keyPath = `${path}.${key.length > 40 ? `${key.slice(0, 40)}…` : key}`;
    if (walk.mode === 'publish') {
      if (keyBytes > MAX_SHORT_STRING_BYTES) throw new InvalidMessageError(keyPath, `header name is ${keyBytes} bytes; AMQP allows at most ${MAX_SHORT_STRING_BYTES}`);
      if (key === '__proto__') throw new InvalidMessageError(keyPath, "'__proto__' is not allowed as a header name (receivers would treat it as the object's prototype)");
    }
    walk.bytes += 1 + keyBytes;
    const checked = fieldValue(original, keyPath, walk, depth + 1);
    if (checked !== original && copy === undefined) copy = { ...source };
    if (copy) copy[key] = checked;
  }
  walk.ancestors.delete(source);
  return copy ?? source;
}

function fieldValue(value: unknown, path: string, walk: Walk, depth: number): unknown {
  switch (typeof value) {
    case 'string':
      walk.bytes += 5 + Buffer.byteLength(value, 'utf8');
      return value;
    case 'boolean':
      walk.bytes += 2;
      return value;
    case 'number':
      return numberValue(value, path, walk);
    case 'bigint':
      if (value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER)) return numberValue(Number(value), path, walk);
      if (walk.mode === 'copy') return fieldValue(String(value), path, walk, depth);
      throw new InvalidMessageError(path, `${value}n cannot be carried exactly (beyond ±2^53-1); send it as a string`);
    case 'object':
      return objectValue(value, path, walk, depth);
    default:
      // undefined inside an array, a function or a symbol
      if (walk.mode === 'copy') return null;
      throw new InvalidMessageError(path, `${describe(value)} cannot be carried in an AMQP header`);
  }
}

function numberValue(value: number, path: string, walk: Walk): unknown {
  if (!Number.isFinite(value)) {
    if (walk.mode === 'publish') throw new InvalidMessageError(path, `${value} cannot be carried in an AMQP header; only finite numbers`);
    walk.bytes += 9;
    return { '!': 'double', value };
  }
  if (Number.isSafeInteger(value)) {
    walk.bytes += value >= -128 && value < 128 ? 2 : value >= -32768 && value < 32768 ? 3 : value >= -(2 ** 31) && value < 2 ** 31 ? 5 : 9;
    return value;
  }
  walk.bytes += 9;
  // amqplib guesses doubles below 2^50 right; above it, say so, or the fraction is lost.
  return Math.abs(value) < FLOAT_AS_INTEGER_FROM ? value : { '!': 'double', value };
}

function objectValue(value: object | null, path: string, walk: Walk, depth: number): unknown {
  if (value === null) {
    walk.bytes += 1;
    return null;
  }
  if (Buffer.isBuffer(value)) {
    walk.bytes += 5 + value.length;
    return value;
  }
  if (value instanceof Uint8Array) return objectValue(Buffer.from(value), path, walk, depth);
  if (value instanceof Date) {
    const ms = value.getTime();
    if (!Number.isFinite(ms) || ms < 0) {
      if (walk.mode === 'copy') return null;
      throw new InvalidMessageError(path, 'a Date must be valid and not before 1970 to travel as an AMQP timestamp');
    }
    walk.bytes += 9;
    return { '!': 'timestamp', value: Math.floor(ms / 1000) };
  }
  if (Array.isArray(value)) {
    enter(value, path, walk, depth);
    walk.bytes += 5;
    let copy: unknown[] | undefined;
    value.forEach((item, index) => {
      const checked = fieldValue(item, `${path}[${index}]`, walk, depth + 1);
      if (checked !== item && copy === undefined) copy = [...value];
      if (copy) copy[index] = checked;
    });
    walk.ancestors.delete(value);
    return copy ?? value;
  }
  if (Object.prototype.hasOwnProperty.call(value, '!')) return typedValue(value as { '!': unknown; value?: unknown }, path, walk);
  if (!isPlainObject(value)) {
    if (walk.mode === 'copy') return null;
    throw new InvalidMessageError(path, `${describe(value)} cannot be carried in an AMQP header; use a plain object, array or primitive`);
  }
  walk.bytes += 5;
  const checked = table(value as Record<string, unknown>, path, walk, depth);
  // amqplib calls value.hasOwnProperty(), which an object without a prototype does not have.
  return Object.getPrototypeOf(checked) === null ? { ...checked } : checked;
}

function typedValue(value: { '!': unknown; value?: unknown }, path: string, walk: Walk): unknown {
  const type = value['!'];
  if (type === 'string' && typeof value.value === 'string') {
    walk.bytes += 5 + Buffer.byteLength(value.value, 'utf8');
    return value;
  }
  if (type === 'boolean' && typeof value.value === 'boolean') {
    walk.bytes += 2;
    return value;
  }
  const check = typeof type === 'string' ? TYPED[type] : undefined;
  if (!check || !check.ok(value.value)) {
    if (walk.mode === 'copy') return null;
    throw new InvalidMessageError(
      path,
      check ? `an AMQP ${type} must be ${check.expects}, got ${describe(value.value)}` : `'${String(type)}' is not an AMQP field type amqplib can encode`,
    );
  }
  walk.bytes += check.bytes;
  return value;
}

function enter(value: object, path: string, walk: Walk, depth: number): void {
  if (walk.ancestors.has(value)) throw new InvalidMessageError(path, 'refers back to itself (circular); AMQP headers must be a tree');
  if (depth > MAX_HEADER_DEPTH) throw new InvalidMessageError(path, `nests deeper than ${MAX_HEADER_DEPTH} levels`);
  walk.ancestors.add(value);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}
