import { MESSAGES } from '../warren.messages';
import { WarrenError } from './warren.error';

/**
 * A handler ran past its `timeoutMs`: its AbortSignal was aborted and the delivery failed with
 * this error (retried and parked as its retry policy says; an RPC caller gets it as a RemoteError).
 */
export class HandlerTimeoutError extends WarrenError {
  readonly code = 'HANDLER_TIMEOUT';

  constructor(
    readonly handler: string,
    readonly timeoutMs: number,
  ) {
    super(MESSAGES.handlerTimedOut(handler, timeoutMs));
  }
}
