/**
 * The error amqplib reports when RabbitMQ closes a channel (same message format, `code`, `classId`,
 * `methodId`), so Warren reads the in-memory broker's refusals as it reads the real one's.
 */
export class ChannelError extends Error {
  constructor(
    readonly code: number,
    readonly replyName: string,
    readonly replyText: string,
    readonly classId: number,
    readonly methodId: number,
  ) {
    super(`Channel closed by server: ${code} (${replyName.replace(/_/g, '-')}) with message "${replyName} - ${replyText}"`);
    this.name = 'Error';
  }
}

/** amqplib's error for an operation on a channel that has closed. */
export class IllegalOperationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'IllegalOperationError';
  }
}
