/**
 * Options of `MessageProducer.publish`. Every value is checked before anything is sent: one AMQP
 * cannot carry rejects the call with `InvalidMessageError` naming the field (see "Input limits").
 */
export interface PublishOptions {
  /**
   * Application headers: strings, finite numbers, booleans, null, Buffers, Dates (sent as AMQP
   * timestamps, whole seconds), bigints within ±2^53-1, and arrays and plain objects of those.
   */
  headers?: Record<string, unknown>;
  /** At most 255 bytes. @default a random UUID */
  messageId?: string;
  /** At most 255 bytes. */
  correlationId?: string;
  /** Per-message TTL in milliseconds, 0 to 2^32-1; a fractional number is rounded up. */
  expiration?: number | string;
  /** A whole number 0–255; only effective on queues declared with `maxPriority`. */
  priority?: number;
  /** Survive a broker restart (on durable queues). @default true */
  persistent?: boolean;
  /** Overrides the content type Warren derives from the message (JSON, text, binary). */
  contentType?: string;
  /** AMQP `content_encoding` property (e.g. `gzip`). */
  contentEncoding?: string;
  /** AMQP `type` property. */
  type?: string;
  /** AMQP `app_id` property. */
  appId?: string;
  /** AMQP `user_id` property; RabbitMQ refuses it unless it names the connection's user. */
  userId?: string;
  replyTo?: string;
  /** Reject with `UnroutableMessageError` when no queue is bound for the message. @default the module's `publish.mandatory` */
  mandatory?: boolean;
}

/** The AMQP properties a request may set; the rest (reply-to, correlation id, expiration, mandatory) are Warren's. */
export type RequestProperties = Pick<PublishOptions, 'priority' | 'messageId' | 'type' | 'appId' | 'userId' | 'contentType' | 'contentEncoding' | 'persistent'>;

/** Options of `RpcClient.request`: the request's properties, checked as `PublishOptions` (`persistent` @default false). */
export interface RequestOptions extends RequestProperties {
  /** Milliseconds, rounded up; at most 2^31-1. Covers a whole streamed answer. @default the module's `rpc.timeoutMs` */
  timeoutMs?: number;
  /** Checked as `PublishOptions.headers`. */
  headers?: Record<string, unknown>;
  /**
   * Takes a streamed answer: the request asks for every value (header `warren-stream: accept`), and
   * each reply but the last — a `WarrenServer` handler's Observable emitting several values — is
   * given to this function as it arrives; the last resolves the request. Without it a handler
   * answers with its last value only. A function that throws rejects the request with its error.
   */
  onValue?: (value: unknown) => void;
}
