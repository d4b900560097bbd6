import { WarrenError } from './warren.error';

/** A message body could not be decoded (e.g. declared `application/json` but not JSON). Never retried. */
export class MalformedMessageError extends WarrenError {
  readonly code = 'MALFORMED_MESSAGE';

  constructor(reason: string) {
    super(`Message body could not be decoded: ${reason}`);
  }
}
