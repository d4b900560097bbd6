import { MESSAGES } from '../warren.messages';
import { WarrenError } from './warren.error';

/** A message's content type is not one its handler's `accept` lists. Never retried. */
export class UnsupportedContentTypeError extends WarrenError {
  readonly code = 'UNSUPPORTED_CONTENT_TYPE';

  constructor(
    readonly handler: string,
    /** The message's content type; undefined when it had none. */
    readonly contentType: string | undefined,
    readonly accepted: readonly string[],
  ) {
    super(MESSAGES.contentTypeNotAccepted(handler, contentType, accepted));
  }
}
