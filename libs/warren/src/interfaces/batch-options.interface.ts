import type { Channel, ConsumeMessage } from 'amqplib';

/** Settles the messages of a failed batch itself (golevelup's `BatchMessageErrorHandler`). */
export type BatchMessageErrorHandler = (channel: Channel, messages: ConsumeMessage[], error: any) => void | Promise<void>;

/**
 * Hand a subscriber its messages in batches: the handler receives an array of payloads (and, as
 * `@RabbitRequest()` / `@RabbitHeader()`, arrays of the raw messages and of their headers).
 */
export interface BatchOptions {
  /** Messages per batch (the queue's prefetch is raised to it if lower). */
  size: number;
  /** Longest wait, in ms from the batch's first message, before a partial batch is handled. @default 200 */
  timeout?: number;
  /**
   * Settles a failed batch itself. Without it, each message of a failed batch goes its own way:
   * the handler's errorBehavior / errorHandler, else Warren's retry and dead-letter queue.
   */
  errorHandler?: BatchMessageErrorHandler;
}
