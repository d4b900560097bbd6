import { PublishError } from './publish.error';

/** The producer already holds `publish.maxBufferedMessages` messages waiting for the broker. */
export class BufferOverflowError extends PublishError {
  constructor(exchange: string, routingKey: string, limit: number) {
    super(
      `Publish buffer is full (${limit} messages waiting for the broker); the broker is unreachable or too slow. ` +
        'Retry later or raise publish.maxBufferedMessages.',
      exchange,
      routingKey,
      { code: 'BUFFER_OVERFLOW' },
    );
  }
}
