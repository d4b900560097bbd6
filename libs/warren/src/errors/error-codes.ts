/**
 * Every `code` Warren's own errors carry (here and in other WarrenError subclasses: NoHandlerError,
 * ReplyNotEncodableError, the components' failures, WarrenServer's RPC_EXCEPTION), and the AMQP reply
 * names a broker refusal is reported with (`PublishError.code`). Metrics and spans label a failure
 * with one of these at most (see `errorType`), never with a code someone else chose.
 */
export const WARREN_ERROR_CODES: ReadonlySet<string> = new Set([
  'INVALID_MESSAGE',
  'MALFORMED_MESSAGE',
  'MESSAGE_TOO_LARGE',
  'VALIDATION_FAILED',
  'NON_RETRYABLE',
  'BUFFER_OVERFLOW',
  'NO_ROUTE',
  'NACKED',
  'CONFIRM_TIMEOUT',
  'NO_HANDLER',
  'REPLY_NOT_ENCODABLE',
  'RPC_EXCEPTION',
  'UNKNOWN_COMPONENT',
  'UNKNOWN_METHOD',
  'HANDLER_TIMEOUT',
  'UNSUPPORTED_CONTENT_TYPE',
  // AMQP 0-9-1 reply names, as brokerRefusal() reads them from a channel the broker closed.
  'CONTENT_TOO_LARGE',
  'NO_CONSUMERS',
  'CONNECTION_FORCED',
  'INVALID_PATH',
  'ACCESS_REFUSED',
  'NOT_FOUND',
  'RESOURCE_LOCKED',
  'PRECONDITION_FAILED',
  'FRAME_ERROR',
  'SYNTAX_ERROR',
  'COMMAND_INVALID',
  'CHANNEL_ERROR',
  'UNEXPECTED_FRAME',
  'RESOURCE_ERROR',
  'NOT_ALLOWED',
  'NOT_IMPLEMENTED',
  'INTERNAL_ERROR',
]);
