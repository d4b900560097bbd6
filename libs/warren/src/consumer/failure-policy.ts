import { MalformedMessageError } from '../errors/malformed-message.error';
import { MessageTooLargeError } from '../errors/message-too-large.error';
import { MessageValidationError } from '../errors/message-validation.error';
import { NonRetryableError } from '../errors/non-retryable.error';
import { UnsupportedContentTypeError } from '../errors/unsupported-content-type.error';
import type { RetryOptions } from '../interfaces';
import { DEFAULT_RETRY, HEADERS } from '../warren.constants';
import { NoHandlerError } from './message-dispatcher';

export type ResolvedRetry = Required<RetryOptions>;

/** What becomes of a message whose handler failed. */
export type FailureAction =
  | { kind: 'retry'; attempt: number; delayMs: number }
  | { kind: 'dead-letter' }
  | { kind: 'reject' };

/** The handler's policy over the module's; `false` on either level means no retry. */
export function resolveRetry(own: RetryOptions | false | undefined, moduleLevel: RetryOptions | false | undefined): ResolvedRetry | false {
  if (own === false || (own === undefined && moduleLevel === false)) return false;
  return { ...DEFAULT_RETRY, ...(moduleLevel || {}), ...(own || {}) };
}

/** Waits before retry 1, 2, ...: initial × multiplier^n, capped. One entry per retry. */
export function retryDelays(retry: ResolvedRetry): number[] {
  const delays: number[] = [];
  for (let n = 0; n < retry.attempts - 1; n++) {
    delays.push(Math.min(Math.round(retry.initialDelayMs * retry.multiplier ** n), retry.maxDelayMs));
  }
  return delays;
}

/**
 * Which delivery attempt a copy is, from Warren's own header (RabbitMQ's x-death is not relied on).
 * Read only on a delivery proven to be Warren's retry (see delivery-origin.ts): a sender's is ignored.
 */
export function attemptOf(headers: Record<string, unknown> | undefined): number {
  const value = Number(headers?.[HEADERS.attempt]);
  return Number.isInteger(value) && value >= 1 ? value : 1;
}

/** Errors that no retry can fix go to the dead-letter queue at once. */
export function isRetryable(error: unknown): boolean {
  return !(
    error instanceof MessageValidationError ||
    error instanceof MalformedMessageError ||
    error instanceof MessageTooLargeError ||
    error instanceof NonRetryableError ||
    error instanceof UnsupportedContentTypeError ||
    error instanceof NoHandlerError
  );
}

export function decideFailure(error: unknown, attempt: number, retry: ResolvedRetry | false, canDeadLetter: boolean): FailureAction {
  if (retry && isRetryable(error) && attempt < retry.attempts) {
    const delayMs = retry.mode === 'requeue' ? 0 : retryDelays(retry)[attempt - 1];
    return { kind: 'retry', attempt: attempt + 1, delayMs };
  }
  return canDeadLetter ? { kind: 'dead-letter' } : { kind: 'reject' };
}

/** One delay queue per backoff step: a queue-wide TTL means nothing short waits behind something long. */
export function delayQueueName(queue: string, delayMs: number): string {
  return `${queue}.retry.${delayMs}ms`;
}
