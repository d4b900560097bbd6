import { WarrenError } from './warren.error';

/**
 * Throw it from a handler when trying again cannot help (e.g. the order does not exist):
 * the message goes straight to the dead-letter queue instead of being retried.
 */
export class NonRetryableError extends WarrenError {
  constructor(
    message: string,
    readonly code = 'NON_RETRYABLE',
  ) {
    super(message);
  }
}
