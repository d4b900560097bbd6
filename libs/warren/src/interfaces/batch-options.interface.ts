import type { Channel, ConsumeMessage } from 'amqplib';

/** Settles the messages of a failed batch itself (golevelup's `BatchMessageErrorHandler`). */
export type BatchMessageErrorHandler = (channel: Channel, messages: ConsumeMessage[], error: any) => void | Promise<void>;

/**
 * Hand a subscriber its messages in batches: the handler receives an array of payloads (and, as
 * `@RabbitRequest()` / `@RabbitHeader()`, arrays of the raw messages and of their headers).
 *
 * When a batch handler throws (and there is no `errorHandler`), the messages of that batch are
 * handed to it again one at a time, as batches of one, before a failure is counted against any of
 * them: the good ones are acked, only a message that fails alone is retried and, in the end,
 * parked. A batch handler must therefore be idempotent: after a failure it sees the messages it
 * had already been given (and may have partly processed) a second time.
 */
export interface BatchOptions {
  /** Messages per batch (the queue's prefetch is raised to it if lower). */
  size: number;
  /** Longest wait, in ms from the batch's first message, before a partial batch is handled. @default 200 */
  timeout?: number;
  /**
   * Settles a failed batch itself (the whole batch, not run again one at a time). Without it, the
   * messages of a failed batch run again one at a time, and each that fails alone goes its own way:
   * the handler's errorBehavior / errorHandler, else Warren's retry and dead-letter queue.
   */
  errorHandler?: BatchMessageErrorHandler;
}
