import { WarrenError } from '../errors/warren.error';

/**
 * golevelup's error for a `null` delivery (the broker cancelled the consumer). Exported for code
 * that tests for it; Warren never throws it: a cancelled consumer is re-attached by Warren instead.
 */
export class NullMessageError extends WarrenError {
  readonly code = 'NULL_MESSAGE';
  constructor(message = 'Received null message') {
    super(message);
  }
}
