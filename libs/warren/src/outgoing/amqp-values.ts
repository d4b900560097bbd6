import { InvalidMessageError } from '../errors/invalid-message.error';

/** AMQP `shortstr`: exchange, routing key, message id, correlation id, type, reply-to… */
export const MAX_SHORT_STRING_BYTES = 255;
/** RabbitMQ refuses a per-message TTL above 2^32 - 1 ms. */
const MAX_EXPIRATION_MS = 4_294_967_295;
/** Node's timers fire at once for anything longer (with a warning), so no timeout may exceed it. */
export const MAX_TIMEOUT_MS = 2_147_483_647;

/** A string that travels as an AMQP short string: at most 255 bytes of UTF-8. */
export function checkShortString(field: string, value: unknown, required = false): void {
  if (value === undefined && !required) return;
  if (typeof value !== 'string') throw new InvalidMessageError(field, `must be a string, got ${describe(value)}`);
  // Most names are ASCII: only count bytes when the characters could exceed the limit.
  if (value.length > MAX_SHORT_STRING_BYTES / 3 && Buffer.byteLength(value, 'utf8') > MAX_SHORT_STRING_BYTES) {
    throw new InvalidMessageError(field, `is ${Buffer.byteLength(value, 'utf8')} bytes of UTF-8; AMQP allows at most ${MAX_SHORT_STRING_BYTES}`);
  }
}

/** `priority`: a whole number 0–255. */
export function checkPriority(field: string, value: unknown): void {
  if (value === undefined) return;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > 255) {
    throw new InvalidMessageError(field, `must be a whole number from 0 to 255, got ${describe(value)}`);
  }
}

export function checkBoolean(field: string, value: unknown): void {
  if (value !== undefined && typeof value !== 'boolean') throw new InvalidMessageError(field, `must be true or false, got ${describe(value)}`);
}

/**
 * A per-message TTL as the broker wants it: a string of whole milliseconds. Numbers are rounded
 * up (1.5 → '2'); strings must already be whole milliseconds.
 */
export function toExpiration(field: string, value: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'string') {
    if (!/^\d{1,10}$/.test(value) || Number(value) > MAX_EXPIRATION_MS) {
      throw new InvalidMessageError(field, `must be whole milliseconds from 0 to ${MAX_EXPIRATION_MS}, got '${value.slice(0, 40)}'`);
    }
    return value;
  }
  return String(checkMilliseconds(field, value, MAX_EXPIRATION_MS));
}

/** A timeout in milliseconds: finite, not negative, rounded up to a whole millisecond. */
export function checkTimeout(field: string, value: unknown): number {
  return checkMilliseconds(field, value, MAX_TIMEOUT_MS);
}

function checkMilliseconds(field: string, value: unknown, max: number): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new InvalidMessageError(field, `must be a finite number of milliseconds >= 0, got ${describe(value)}`);
  }
  const whole = Math.ceil(value);
  if (whole > max) throw new InvalidMessageError(field, `must be at most ${max} ms, got ${value}`);
  return whole;
}

/** A short description of a bad value for an error text (never the whole value). */
export function describe(value: unknown): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'string':
      return value.length > 40 ? `a string of ${value.length} characters` : `'${value}'`;
    case 'number':
    case 'boolean':
      return String(value);
    case 'bigint':
      return `${value}n`;
    case 'object':
      return `an instance of ${(value as object).constructor?.name ?? 'Object'}`;
    default:
      return `a ${typeof value}`;
  }
}
