import { PublishError } from './publish.error';

/** Which bound of the publish buffer a refused message would have broken. */
export type BufferBound = 'messages' | 'bytes';

/**
 * The producer already holds `publish.maxBufferedMessages` messages, or `publish.maxBufferedBytes`
 * body bytes, that the broker has not confirmed (waiting for a channel, in amqplib's buffers, or
 * written and unconfirmed, e.g. during a broker alarm). The message was not sent.
 */
export class BufferOverflowError extends PublishError {
  constructor(
    exchange: string,
    routingKey: string,
    /** The bound that was hit. */
    readonly limit: number,
    /** `messages`: `publish.maxBufferedMessages`; `bytes`: `publish.maxBufferedBytes`. */
    readonly bound: BufferBound = 'messages',
  ) {
    super(
      bound === 'messages'
        ? `Publish buffer is full (${limit} messages not yet confirmed by the broker); the broker is unreachable, blocking publishers or too slow. ` +
            'Retry later or raise publish.maxBufferedMessages.'
        : `Publish buffer is full (${limit} bytes of messages not yet confirmed by the broker); the broker is unreachable, blocking publishers or too slow. ` +
            'Retry later or raise publish.maxBufferedBytes.',
      exchange,
      routingKey,
      { code: 'BUFFER_OVERFLOW' },
    );
  }
}
