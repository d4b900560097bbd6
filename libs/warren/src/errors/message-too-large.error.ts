import { WarrenError } from './warren.error';

/** A message body is larger than `maxMessageBytes`. Never retried. */
export class MessageTooLargeError extends WarrenError {
  readonly code = 'MESSAGE_TOO_LARGE';

  constructor(
    readonly size: number,
    readonly limit: number,
  ) {
    super(`Message body is ${size} bytes, over the ${limit}-byte limit (maxMessageBytes)`);
  }
}
