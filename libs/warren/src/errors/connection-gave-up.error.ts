import { WarrenError } from './warren.error';

/**
 * Warren gave up reconnecting (`connection.reconnect.maxAttempts` attempts failed in a row): it will
 * not reconnect, so publishes and requests — those waiting for the connection too — fail at once with
 * this error. The application decides what follows (exit, alert); `WarrenStatus.check().gaveUp` and
 * the `gave-up` event say the same.
 */
export class ConnectionGaveUpError extends WarrenError {
  readonly code = 'CONNECTION_GAVE_UP';

  constructor(
    message: string,
    /** The connection whose attempts ran out (`<name>` or `<name>.publish`). */
    readonly connection: string,
    readonly attempts: number,
    /** The last attempt's failure, redacted. */
    readonly reason: string,
  ) {
    super(message);
  }
}
