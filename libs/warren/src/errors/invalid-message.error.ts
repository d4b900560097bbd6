import { WarrenError } from './warren.error';

/**
 * A value Warren was asked to send cannot travel in an AMQP frame (a routing key over 255 bytes,
 * a priority of 300, a header holding a function, a circular body…). Raised before anything is
 * queued or sent, so the channel and every other message are untouched. Never retried.
 */
export class InvalidMessageError extends WarrenError {
  readonly code = 'INVALID_MESSAGE';

  constructor(
    /** Where the bad value is: `'routingKey'`, `'options.priority'`, `'headers.trace.id'`, `'message'`… */
    readonly field: string,
    /** What is wrong with it. */
    readonly reason: string,
    /** The issues, when the value did not match a contract's schema (`field` is then `'payload'`). */
    readonly details?: unknown,
  ) {
    super(`Invalid ${field}: ${reason}; nothing was sent`);
  }
}
