import { WarrenError } from './warren.error';

/**
 * A message body could not be decoded (e.g. declared `application/json` but not JSON), or its
 * headers (a header table nested too deep, see `warren-headers-undecodable`). Never retried.
 */
export class MalformedMessageError extends WarrenError {
  readonly code = 'MALFORMED_MESSAGE';

  constructor(reason: string, part: 'body' | 'headers' = 'body') {
    super(`Message ${part} could not be decoded: ${reason}`);
  }
}
