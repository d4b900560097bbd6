import { InvalidMessageError } from '../errors/invalid-message.error';
import { MalformedMessageError } from '../errors/malformed-message.error';
import type { MessageSerializer } from '../interfaces/error-handling.interface';
import { EncodedBody, decodeBody, parseJson } from './message-codec';

/**
 * golevelup 9's wire format, for services that share a broker with golevelup ones
 * (`handlerFormat: 'golevelup'`, and `AmqpConnection` of `nestjs-warren/golevelup`).
 *
 * golevelup sends a Buffer as it is, a Uint8Array's bytes, nothing for `null`/`undefined`, and
 * everything else through its serializer — `JSON.stringify` by default, strings included — with no
 * content type. Its consumers `JSON.parse` every body (a body that is not JSON fails the message,
 * unless the handler has `allowNonJsonMessages`, which hands it over as text).
 */

/** A value encoded as golevelup encodes it (no content type). */
export function encodeGolevelup(value: unknown, field: string, serializer?: MessageSerializer): EncodedBody {
  if (Buffer.isBuffer(value)) return { content: value };
  if (value instanceof Uint8Array) return { content: Buffer.from(value) };
  if (value === null || value === undefined) return { content: Buffer.alloc(0) };
  let content: unknown;
  try {
    content = serializer ? serializer(value) : jsonBytes(value);
  } catch (error) {
    throw new InvalidMessageError(field, `cannot be serialised as JSON (${(error as Error).message.split('\n')[0]})`);
  }
  if (!Buffer.isBuffer(content)) throw new InvalidMessageError(field, serializer ? 'the serializer must return a Buffer' : `a ${typeof value} cannot be serialised as JSON`);
  return { content };
}

function jsonBytes(value: unknown): Buffer | undefined {
  const json = JSON.stringify(value);
  return json === undefined ? undefined : Buffer.from(json, 'utf8');
}

/**
 * A body read as a golevelup consumer reads it: JSON, whatever it is (an empty body too is not
 * JSON). A body with a content type — which golevelup never sets, but Warren and other clients
 * do — is decoded by that type instead.
 */
export function decodeGolevelup(content: Buffer, contentType: string | undefined): unknown {
  if (contentType) return decodeBody(content, contentType);
  try {
    return parseJson(content.toString('utf8'));
  } catch (error) {
    throw new MalformedMessageError(`is not JSON, as golevelup's consumers require (${(error as Error).message})`);
  }
}
