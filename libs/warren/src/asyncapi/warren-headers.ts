import { HEADERS, REPLY_STATUS_ERROR, REPLY_STATUS_HEADER } from '../warren.constants';
import type { JsonSchema } from './asyncapi.types';

const text = (description: string): JsonSchema => ({ type: 'string', description });

/** On a retried or dead-lettered copy of a message (a first delivery carries only the sender's headers). */
export const DELIVERY_HEADERS: JsonSchema = {
  type: 'object',
  description: "Headers Warren sets on a retried or dead-lettered copy; a first delivery carries only the sender's headers",
  properties: {
    [HEADERS.attempt]: { type: 'integer', minimum: 1, description: 'Delivery attempt of this copy, 1-based' },
    [HEADERS.originalExchange]: text('Exchange the message was first published to'),
    [HEADERS.originalRoutingKey]: text('Routing key it was first published with'),
    [HEADERS.originalQueue]: text('Queue it was consumed from when it was parked'),
    [HEADERS.error]: text('The last error message (truncated to 1000 characters, credentials redacted)'),
    [HEADERS.errorCode]: text('The last error code'),
    [HEADERS.firstFailedAt]: { type: 'string', format: 'date-time', description: 'When the first attempt failed' },
    [HEADERS.deadLetteredAt]: { type: 'string', format: 'date-time', description: 'When it was parked in the dead-letter queue' },
    [HEADERS.headersDropped]: text("Why the original headers could not be copied (they were left out)"),
  },
};

/** On an RPC request, besides the `reply_to` and `correlation_id` properties. */
export const RPC_REQUEST_HEADERS: JsonSchema = {
  type: 'object',
  description: "Headers a Warren caller sends with a request; requests from other clients may carry none",
  properties: {
    [HEADERS.timeoutMs]: { type: 'integer', minimum: 0, description: 'Milliseconds the caller still waits for the reply; an expired request is not answered' },
    [HEADERS.deadline]: { type: 'integer', description: "Epoch ms after which the request is not worth answering, on the caller's clock (read from older callers only)" },
  },
};

/** On an RPC reply that carries an error. */
export const RPC_ERROR_HEADERS: JsonSchema = {
  type: 'object',
  required: [REPLY_STATUS_HEADER],
  properties: { [REPLY_STATUS_HEADER]: { type: 'string', const: REPLY_STATUS_ERROR, description: 'The reply carries an error, not a result' } },
};

/** The body of an error reply (`RemoteError` on the caller's side). */
export const RPC_ERROR_PAYLOAD: JsonSchema = {
  type: 'object',
  required: ['code', 'message'],
  properties: {
    code: { type: 'string', description: "The error's code (VALIDATION_FAILED, NO_HANDLER, HANDLER_ERROR, or the handler's own)" },
    message: { type: 'string' },
    details: { description: "The error's details (validation failures, an HttpException's response)" },
  },
};

/** Where the reply goes and how it is matched to its request. */
export const REPLY_ADDRESS = { location: '$message.header#/replyTo', description: "The request's AMQP reply_to property (direct reply-to for Warren callers)" };
export const CORRELATION_ID = { location: '$message.header#/correlationId', description: 'The AMQP correlation_id property, copied onto the reply' };
