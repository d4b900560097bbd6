/** Options of `MessageProducer.publish`. */
export interface PublishOptions {
  /** Application headers; values must be AMQP-encodable (strings, numbers, booleans, objects). */
  headers?: Record<string, unknown>;
  /** @default a random UUID */
  messageId?: string;
  correlationId?: string;
  /** Per-message TTL in milliseconds. */
  expiration?: number | string;
  /** 0–255; only effective on queues declared with `maxPriority`. */
  priority?: number;
  /** Survive a broker restart (on durable queues). @default true */
  persistent?: boolean;
  /** Overrides the content type Warren derives from the message (JSON, text, binary). */
  contentType?: string;
  /** AMQP `type` property. */
  type?: string;
  replyTo?: string;
  /** Reject with `UnroutableMessageError` when no queue is bound for the message. @default the module's `publish.mandatory` */
  mandatory?: boolean;
}

/** Options of `RpcClient.request`. */
export interface RequestOptions {
  /** @default the module's `rpc.timeoutMs` */
  timeoutMs?: number;
  headers?: Record<string, unknown>;
}
