import { WarrenError } from './warren.error';

/** A message (or RPC reply) body is larger than `maxMessageBytes`. Never retried. */
export class MessageTooLargeError extends WarrenError {
  readonly code = 'MESSAGE_TOO_LARGE';

  constructor(
    readonly size: number,
    readonly limit: number,
    /** What was too large: 'Message' or 'Reply'. */
    subject = 'Message',
  ) {
    super(`${subject} body is ${size} bytes, over the ${limit}-byte limit (maxMessageBytes)`);
  }
}
