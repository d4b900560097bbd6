/** Injection token for the options the user passed to `WarrenModule.forRoot[Async]`. */
export const WARREN_MODULE_OPTIONS = Symbol('warren:module-options');

/** Metadata key under which `@RabbitSubscribe` / `@RabbitRPC` store their handler options. */
export const WARREN_HANDLER_METADATA = 'warren:handler';

/**
 * Param types for `@RabbitPayload`, `@RabbitRequest` and `@RabbitHeader`, stored in Nest's
 * ROUTE_ARGS_METADATA so that pipes apply. The numbers match golevelup's, which keeps
 * metadata written by either library readable by the other.
 */
export const WARREN_PAYLOAD_PARAM = 3;
export const WARREN_HEADER_PARAM = 4;
export const WARREN_REQUEST_PARAM = 5;
export const WARREN_SIGNAL_PARAM = 6;
/** `@RabbitOrigin()`: where the delivery was first published (Warren's own; golevelup has none). */
export const WARREN_ORIGIN_PARAM = 7;
/** Metadata key (class, method) of the schema a `@RabbitPayload({ schema })` gave. */
export const WARREN_PAYLOAD_SCHEMA_METADATA = 'warren:payload-schema';

/** `ExecutionContext#getType()` inside Warren handlers; the same as golevelup's, so guards keep working. */
export const WARREN_CONTEXT_TYPE = 'rmq';

/** RabbitMQ's direct reply-to pseudo queue. */
export const DIRECT_REPLY_QUEUE = 'amq.rabbitmq.reply-to';

/** Header set on RPC replies that carry an error instead of a result. */
export const REPLY_STATUS_HEADER = 'warren-status';
export const REPLY_STATUS_ERROR = 'error';

export const DEFAULT_URI = 'amqp://guest:guest@127.0.0.1:5672';
export const DEFAULT_PREFETCH = 10;
/** Queues serving only RPC handlers: enough for typical concurrency without a round trip per batch of acks. */
export const DEFAULT_RPC_PREFETCH = 100;
/** Quorum queues: deliveries before the broker dead-letters a message (RabbitMQ 4's own default too). */
export const DEFAULT_DELIVERY_LIMIT = 20;
/** Consumer channels per connection before another connection is opened (RabbitMQ allows 2,047 by default). */
export const DEFAULT_MAX_CONSUMER_CHANNELS = 1000;
export const DEFAULT_RPC_TIMEOUT_MS = 10_000;
export const DEFAULT_DRAIN_TIMEOUT_MS = 10_000;
export const DEFAULT_CONNECT_TIMEOUT_MS = 5_000;
export const DEFAULT_HEARTBEAT_SECONDS = 5;
export const DEFAULT_RECONNECT_DELAY_MS = 1_000;
/** Longest pause between reconnect attempts with `connection.reconnect` (unless reconnectDelayMs is longer). */
export const DEFAULT_MAX_RECONNECT_DELAY_MS = 30_000;
export const DEFAULT_PUBLISH_TIMEOUT_MS = 10_000;
export const DEFAULT_MAX_BUFFERED_MESSAGES = 10_000;
export const DEFAULT_MAX_BUFFERED_BYTES = 64 * 1024 * 1024;
export const DEFAULT_MAX_MESSAGE_BYTES = 16 * 1024 * 1024;
/** Bytes of deliveries one consumer holds before it stops taking more (four bodies of the largest size by default). */
export const DEFAULT_MAX_IN_FLIGHT_BYTES = 64 * 1024 * 1024;

export const JSON_CONTENT_TYPE = 'application/json';
export const TEXT_CONTENT_TYPE = 'text/plain';
export const BINARY_CONTENT_TYPE = 'application/octet-stream';

/** Headers Warren writes. Not `x-` prefixed: RabbitMQ 4 strips client-set `x-` headers. */
export const HEADERS = {
  /** 1-based delivery attempt of this copy of the message. */
  attempt: 'warren-attempt',
  originalExchange: 'warren-original-exchange',
  originalRoutingKey: 'warren-original-routing-key',
  originalQueue: 'warren-original-queue',
  /** The last error's message (truncated) and code. */
  error: 'warren-error',
  errorCode: 'warren-error-code',
  firstFailedAt: 'warren-first-failed-at',
  deadLetteredAt: 'warren-dead-lettered-at',
  /** Set on a retry or dead letter whose original headers could not be copied, saying why. */
  headersDropped: 'warren-headers-dropped',
  /** On a dead letter whose body was left out (over `maxMessageBytes`): the body's size, and why. */
  bodyBytes: 'warren-body-bytes',
  bodyDropped: 'warren-body-dropped',
  /** Set on a received message whose header table amqplib could not decode, saying why (see `headersTooDeep`). */
  headersUndecodable: 'warren-headers-undecodable',
  /**
   * Epoch ms after which an RPC request is no longer worth answering, on the caller's clock. Warren
   * no longer sends it; it is read only from requests with neither `timeoutMs` nor `expiration`.
   */
  deadline: 'warren-deadline',
  /** The milliseconds an RPC caller still waits for the reply, when it sent the request. */
  timeoutMs: 'warren-timeout-ms',
  /**
   * Streamed RPC answers: `accept` on a request whose caller takes several replies; `next` on each
   * reply but the last (a reply without it is the final one).
   */
  stream: 'warren-stream',
} as const;

export const STREAM_ACCEPT = 'accept';
export const STREAM_NEXT = 'next';

export const DEFAULT_RETRY = { attempts: 5, initialDelayMs: 1_000, multiplier: 2, maxDelayMs: 60_000, mode: 'delay' } as const;
/** Longest error text carried in a header. */
export const MAX_ERROR_HEADER_LENGTH = 1_000;
