import { BINARY_CONTENT_TYPE, JSON_CONTENT_TYPE, TEXT_CONTENT_TYPE } from '../warren.constants';
import { MalformedMessageError } from '../errors/malformed-message.error';
import { InvalidMessageError } from '../errors/invalid-message.error';
import type { MessageSerializer } from '../interfaces/error-handling.interface';

export interface EncodedBody {
  content: Buffer;
  contentType?: string;
}

/** A body encoded already (golevelup's format): published as it is, with this content type or none. */
export class EncodedMessage implements EncodedBody {
  constructor(
    readonly content: Buffer,
    readonly contentType?: string,
  ) {}
}

/**
 * Objects and other values → JSON; strings → text/plain; Buffers → application/octet-stream.
 * A value JSON cannot carry (circular, BigInt, a function) throws `InvalidMessageError` for `field`.
 * A `serializer` (the module's) encodes everything but Buffers instead, with no content type.
 */
export function encodeBody(message: unknown, field = 'message', serializer?: MessageSerializer): EncodedBody {
  if (message instanceof EncodedMessage) return { content: message.content, contentType: message.contentType };
  if (Buffer.isBuffer(message)) return { content: message, contentType: BINARY_CONTENT_TYPE };
  if (message instanceof Uint8Array) return { content: Buffer.from(message), contentType: BINARY_CONTENT_TYPE };
  if (serializer) return serialize(message, field, serializer);
  if (typeof message === 'string') return { content: Buffer.from(message, 'utf8'), contentType: TEXT_CONTENT_TYPE };
  if (message === undefined) return { content: Buffer.alloc(0) };
  let json: string | undefined;
  try {
    json = JSON.stringify(message);
  } catch (err) {
    throw new InvalidMessageError(field, `cannot be serialised as JSON (${(err as Error).message.split('\n')[0]})`);
  }
  if (json === undefined) throw new InvalidMessageError(field, `a ${typeof message} cannot be serialised as JSON`);
  return { content: Buffer.from(json, 'utf8'), contentType: JSON_CONTENT_TYPE };
}

function serialize(message: unknown, field: string, serializer: MessageSerializer): EncodedBody {
  let content: unknown;
  try {
    content = serializer(message);
  } catch (err) {
    throw new InvalidMessageError(field, `the serializer failed (${(err as Error).message})`);
  }
  if (!Buffer.isBuffer(content)) throw new InvalidMessageError(field, 'the serializer must return a Buffer');
  return { content };
}

/**
 * Decodes a body by its content type, as any AMQP client may have sent it:
 * JSON types are parsed (and must parse), text types become strings, a body without a content
 * type is parsed when it is JSON and given as a string otherwise, anything else stays a Buffer.
 * An empty body is `undefined` without a type or with a JSON type, `''` as text, and an empty
 * Buffer as binary — so `''` and `Buffer.alloc(0)` arrive as they were sent.
 */
export function decodeBody(content: Buffer, contentType: string | undefined): unknown {
  const type = mediaType(contentType);
  if (content.length === 0) return emptyBody(type, content);
  if (type === '') {
    const text = content.toString('utf8');
    try {
      return parseJson(text);
    } catch {
      return text;
    }
  }
  if (type === JSON_CONTENT_TYPE || type.endsWith('+json')) {
    try {
      return parseJson(content.toString('utf8'));
    } catch (err) {
      throw new MalformedMessageError(`declared ${type} but is not valid JSON (${(err as Error).message})`);
    }
  }
  if (type.startsWith('text/')) return content.toString('utf8');
  return content;
}

function emptyBody(type: string, content: Buffer): unknown {
  if (type === '' || type === JSON_CONTENT_TYPE || type.endsWith('+json')) return undefined;
  return type.startsWith('text/') ? '' : content;
}

/** A content type's media type: no parameters, trimmed, lower case; '' for none. */
export function mediaType(contentType: string | undefined): string {
  if (!contentType) return '';
  const semicolon = contentType.indexOf(';');
  return (semicolon < 0 ? contentType : contentType.slice(0, semicolon)).trim().toLowerCase();
}

/**
 * JSON.parse, then every own `__proto__` key removed, so no payload can reach an object's prototype
 * later (a copy onto a DTO instance would set it). JSON.parse makes such a key from `"__proto__"`
 * and from any escaped spelling (`"\u005f_proto__"`), so the walk runs when the text holds either;
 * other text, the usual case, is parsed with nothing added.
 */
export function parseJson(text: string): unknown {
  const value: unknown = JSON.parse(text);
  if (text.includes('__proto__') || text.includes('\\u')) dropProtoKeys(value);
  return value;
}

const hasOwn = Object.prototype.hasOwnProperty;

/** Deletes own `__proto__` keys at any depth (a loop, not recursion: JSON may nest deeper than the stack). */
function dropProtoKeys(root: unknown): void {
  const pending: unknown[] = [root];
  while (pending.length > 0) {
    const value = pending.pop();
    if (value === null || typeof value !== 'object') continue;
    if (Array.isArray(value)) {
      for (const item of value) if (item !== null && typeof item === 'object') pending.push(item);
      continue;
    }
    const record = value as Record<string, unknown>;
    if (hasOwn.call(record, '__proto__')) delete record['__proto__'];
    for (const key in record) {
      const child = record[key];
      if (child !== null && typeof child === 'object') pending.push(child);
    }
  }
}
