import { HttpException } from '@nestjs/common';
import type { Channel, ConsumeMessage } from 'amqplib';
import { EncodedBody, decodeBody, encodeBody } from '../codec/message-codec';
import { encodeGolevelup } from '../codec/golevelup-format';
import { RemoteError, RemoteErrorPayload } from '../errors/remote.error';
import { WarrenError } from '../errors/warren.error';
import type { MessageSerializer } from '../interfaces/error-handling.interface';
import type { HeaderTemplates } from '../outgoing/header-templates';
import { redactJson } from '../logging/redact-json';
import { redactText } from '../logging/redact';
import { replyHeaders } from '../tracing/warren-tracing';
import { HEADERS, JSON_CONTENT_TYPE, REPLY_STATUS_ERROR, REPLY_STATUS_HEADER, STREAM_NEXT } from '../warren.constants';

/**
 * The reply protocol. A result travels as an ordinary message (JSON, text or binary by its
 * type), so plain AMQP clients can read it; an error travels as JSON `{ code, message, details }`
 * with the header `warren-status: error`. Replies go to the request's `reply_to` with its
 * `correlation_id`, which is all that direct reply-to and tutorial-style clients need.
 *
 * Streams: a caller whose request carries `warren-stream: accept` takes several replies; each but
 * the last carries `warren-stream: next`, and the last is an ordinary reply (result or error) that
 * ends the stream. Callers that do not ask get one reply, as before.
 */

/** The handler's return value cannot travel as a reply (circular, BigInt, a function…). */
export class ReplyNotEncodableError extends WarrenError {
  readonly code = 'REPLY_NOT_ENCODABLE';
}

export interface ReplyOptions {
  /** The module's serializer, if it has one. */
  serializer?: MessageSerializer;
  /** Send the reply persistent (golevelup's `usePersistentReplyTo`). */
  persistent?: boolean;
  /** The replying consumer's reused header objects (trace context headers are new per reply). */
  headerTemplates?: HeaderTemplates;
  /** `handlerFormat`: 'golevelup' encodes results as golevelup does and echoes the request's `X-Request-ID`. */
  format?: 'warren' | 'golevelup';
}

/** The header golevelup's callers match replies by (besides the correlation id). */
const GOLEVELUP_REQUEST_ID = 'X-Request-ID';

/**
 * Sends the handler's result. A result that cannot be encoded is answered with a
 * `REPLY_NOT_ENCODABLE` error instead, so the caller learns of it at once; that error is returned.
 */
export function sendReply(channel: Channel, request: ConsumeMessage, result: unknown, options: ReplyOptions = {}): ReplyNotEncodableError | undefined {
  let body;
  try {
    body = encodeReply(result, options);
  } catch (error) {
    sendErrorReply(channel, request, error);
    return error as ReplyNotEncodableError;
  }
  publishReply(channel, request, body, options, withRequestId(replyHeaders(), request, options.format));
  return undefined;
}

/**
 * Sends one reply of a streamed answer that more replies follow (`warren-stream: next`). A value
 * that cannot be encoded throws `ReplyNotEncodableError` and nothing is sent: the stream ends
 * there with that error as its final reply.
 */
export function sendNextReply(channel: Channel, request: ConsumeMessage, value: unknown, options: ReplyOptions = {}): void {
  publishReply(channel, request, encodeReply(value, options), options, withRequestId(replyHeaders({ [HEADERS.stream]: STREAM_NEXT }), request, options.format));
}

function encodeReply(result: unknown, options: ReplyOptions): EncodedBody {
  try {
    return options.format === 'golevelup' ? encodeGolevelup(result, 'reply', options.serializer) : encodeBody(result, 'reply', options.serializer);
  } catch (error) {
    throw new ReplyNotEncodableError(`The handler's return value cannot be sent as a reply: ${(error as Error).message}`);
  }
}

function publishReply(channel: Channel, request: ConsumeMessage, body: EncodedBody, options: ReplyOptions, headers: Record<string, unknown> | undefined): void {
  const publish = (lent: Record<string, unknown> | undefined) =>
    channel.publish('', request.properties.replyTo, body.content, {
      correlationId: request.properties.correlationId,
      contentType: body.contentType,
      persistent: options.persistent ?? false,
      headers: lent,
    });
  if (options.headerTemplates) options.headerTemplates.lend(headers, publish);
  else publish(headers);
}

export function sendErrorReply(channel: Channel, request: ConsumeMessage, error: unknown, format?: 'warren' | 'golevelup'): void {
  channel.publish('', request.properties.replyTo, Buffer.from(errorReplyBody(toRemoteErrorPayload(error))), {
    correlationId: request.properties.correlationId,
    contentType: JSON_CONTENT_TYPE,
    headers: withRequestId(replyHeaders({ [REPLY_STATUS_HEADER]: REPLY_STATUS_ERROR }), request, format),
  });
}

/** golevelup's callers that sent an `X-Request-ID` take only a reply that carries it back. */
function withRequestId(headers: Record<string, unknown> | undefined, request: ConsumeMessage, format: 'warren' | 'golevelup' | undefined) {
  const requestId = request.properties.headers?.[GOLEVELUP_REQUEST_ID];
  if (format !== 'golevelup' || requestId === undefined) return headers;
  return { ...headers, [GOLEVELUP_REQUEST_ID]: Buffer.isBuffer(requestId) ? requestId.toString('utf8') : requestId };
}

/** The error as JSON; details JSON cannot carry are left out (and the message says so). */
function errorReplyBody(payload: RemoteErrorPayload): string {
  try {
    return JSON.stringify(payload);
  } catch (error) {
    const reason = (error as Error).message.split('\n')[0];
    return JSON.stringify({ code: payload.code, message: `${payload.message} (details left out: ${reason})` });
  }
}

/** The result carried by a reply, or the RemoteError it reports. */
export function readReply(reply: ConsumeMessage): unknown {
  const headers = reply.properties.headers;
  if (headers && headers[REPLY_STATUS_HEADER] === REPLY_STATUS_ERROR) {
    const payload = decodeBody(reply.content, JSON_CONTENT_TYPE) as Partial<RemoteErrorPayload> | undefined;
    throw new RemoteError({
      code: typeof payload?.code === 'string' ? payload.code : 'REMOTE_ERROR',
      message: typeof payload?.message === 'string' ? payload.message : 'The remote handler failed',
      details: payload?.details,
    });
  }
  return decodeBody(reply.content, reply.properties.contentType);
}

/**
 * What the caller learns of a handler's error: its code, message and details, never its stack.
 * The message and every string in the details go through redactText (they may hold credentials).
 */
export function toRemoteErrorPayload(error: unknown): RemoteErrorPayload {
  if (!(error instanceof Error)) return { code: 'HANDLER_ERROR', message: redactText(String(error)) };
  const withFields = error as Error & { code?: unknown; details?: unknown };
  const code = typeof withFields.code === 'string' && withFields.code ? withFields.code : 'HANDLER_ERROR';
  let details = withFields.details;
  if (details === undefined && error instanceof HttpException) details = error.getResponse();
  const message = redactText(error.message);
  return details === undefined ? { code, message } : { code, message, details: redactJson(details) };
}
