import { RmqRecord, RmqRecordOptions } from '@nestjs/microservices';
import type { PublishOptions, RequestOptions } from '../interfaces';

/** What a packet's data is on the wire: an `RmqRecord`'s data with its options apart, else the value itself. */
export function unwrapRecord(value: unknown): { data: unknown; options?: RmqRecordOptions } {
  return value instanceof RmqRecord ? { data: value.data as unknown, options: value.options } : { data: value };
}

/** An `RmqRecord`'s options that a request carries; reply-to, correlation id, expiration and mandatory stay Warren's. */
export function requestOptionsOf(options: RmqRecordOptions | undefined): RequestOptions {
  if (!options) return {};
  const { headers, priority, messageId, type, appId, userId, contentType, contentEncoding, persistent } = options;
  return defined({ headers, priority, messageId, type, appId, userId, contentType, contentEncoding, persistent });
}

/** An `RmqRecord`'s options that an event carries (`CC`, `BCC`, `deliveryMode` and `timestamp` are not). */
export function publishOptionsOf(options: RmqRecordOptions | undefined): PublishOptions | undefined {
  if (!options) return undefined;
  const { headers, priority, messageId, type, appId, userId, contentType, contentEncoding, persistent, expiration, mandatory } = options;
  return defined({ headers, priority, messageId, type, appId, userId, contentType, contentEncoding, persistent, expiration, mandatory });
}

/** The options that are set: one left undefined must not override the module's defaults. */
function defined<T extends object>(options: T): T {
  return Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined)) as T;
}
