import type { ConsumeMessage, Options } from 'amqplib';
import { checkHeaders } from '../outgoing/field-table';
import { redactText } from '../logging/redact';
import { HEADERS, MAX_ERROR_HEADER_LENGTH } from '../warren.constants';
import { BOOKKEEPING_HEADERS, DeliveryOrigin } from './delivery-origin';
import type { MessageTooLargeError } from '../errors/message-too-large.error';
import { MESSAGES } from '../warren.messages';

/**
 * Headers never copied onto a retry or dead letter: the broker's own dead-lettering record, and
 * sender-selected routing (`CC`/`BCC` would make the broker route Warren's copy, published with
 * Warren's rights through the default exchange, into any queue the sender names).
 */
const UNCOPIED_HEADERS = /^(x-(death|first-death-|last-death-)|CC$|BCC$)/;

/** The error's text for a header: redacted (a handler's text may hold credentials), then cut to length. */
function errorText(error: unknown): string {
  const text = redactText(error instanceof Error ? error.message : String(error));
  return text.length > MAX_ERROR_HEADER_LENGTH ? `${text.slice(0, MAX_ERROR_HEADER_LENGTH - 1)}…` : text;
}

function errorCode(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && code) return code;
  return error instanceof Error ? error.name : 'Error';
}

/**
 * Properties for a copy of `message` (a retry or a dead letter): same body, id, type and
 * correlation, persistent, with Warren's bookkeeping headers on top of the original ones. The
 * origin recorded is the delivery's (see DeliveryOrigin); bookkeeping headers a sender wrote on a
 * delivery that was not Warren's own retry are left off.
 */
export function copyProperties(message: ConsumeMessage, origin: DeliveryOrigin, extraHeaders: Record<string, unknown>): Options.Publish {
  const source = message.properties;
  const own: Record<string, unknown> = {
    [HEADERS.originalExchange]: origin.exchange,
    [HEADERS.originalRoutingKey]: origin.routingKey,
    [HEADERS.firstFailedAt]: origin.firstFailedAt ?? new Date().toISOString(),
    ...extraHeaders,
  };
  const headers: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(source.headers ?? {})) {
    if (!UNCOPIED_HEADERS.test(key) && (origin.trusted === true || !BOOKKEEPING_HEADERS.has(key))) headers[key] = value;
  }
  Object.assign(headers, own);
  return {
    headers: encodableCopy(headers, own),
    persistent: true,
    contentType: source.contentType,
    contentEncoding: source.contentEncoding,
    messageId: source.messageId,
    correlationId: source.correlationId,
    timestamp: source.timestamp,
    type: source.type,
    appId: source.appId,
    priority: source.priority,
  };
}

export function retryHeaders(attempt: number, error: unknown): Record<string, unknown> {
  return { [HEADERS.attempt]: attempt, [HEADERS.error]: errorText(error), [HEADERS.errorCode]: errorCode(error) };
}

export function deadLetterHeaders(queue: string, attempts: number, error: unknown): Record<string, unknown> {
  return {
    [HEADERS.attempt]: attempts,
    [HEADERS.originalQueue]: queue,
    [HEADERS.error]: errorText(error),
    [HEADERS.errorCode]: errorCode(error),
    [HEADERS.deadLetteredAt]: new Date().toISOString(),
  };
}

/** What a header-only dead letter (a body over `maxMessageBytes`, left out) says of the body. */
export function bodyDroppedHeaders(error: MessageTooLargeError): Record<string, unknown> {
  return { [HEADERS.bodyBytes]: error.size, [HEADERS.bodyDropped]: MESSAGES.bodyDropped(error.size, error.limit) };
}

/**
 * Headers another client sent may hold what amqplib cannot send back as they are (a NaN double)
 * or more than fits its encoder (over 64 KB, very deep): the former get an explicit type; for the
 * latter the copy keeps Warren's own headers and says what was left out, rather than never moving.
 */
function encodableCopy(headers: Record<string, unknown>, warrenHeaders: Record<string, unknown>): Record<string, unknown> {
  try {
    return checkHeaders('headers', headers, 'copy') ?? {};
  } catch (error) {
    return { ...warrenHeaders, [HEADERS.headersDropped]: errorText(error) };
  }
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
