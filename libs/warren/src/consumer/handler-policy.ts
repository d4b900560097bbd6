import type { RetryOptions } from '../interfaces';
import { ResolvedRetry, resolveRetry, retryDelays } from './failure-policy';
import type { HandlerDefinition } from './handler-definition';

/** What happens to a handler's failed messages, once its queue's real name is known. */
export interface HandlerPolicy {
  retry: ResolvedRetry | false;
  /** Undefined: failures are rejected (dropped, or dead-lettered by the queue's own DLX). */
  deadLetterQueue?: string;
}

/**
 * RPC handlers: no retry, nothing parked (their errors are replies).
 * Server-named queues change name on reconnect and cannot have `amq.`-prefixed companions, so
 * their retries go straight back to the queue and they park nothing unless told where.
 * A queue with a dead-letter exchange of its own keeps it: failures are rejected into it.
 */
export function handlerPolicy(handler: HandlerDefinition, queue: string, named: boolean, moduleRetry: RetryOptions | false | undefined): HandlerPolicy {
  const options = handler.options;
  // RPC is never retried and its errors go back to the caller: no delay or dead-letter queues.
  if (options.type === 'rpc') return { retry: false };
  let retry = resolveRetry(options.retry, moduleRetry);
  if (retry && !named) retry = { ...retry, mode: 'requeue' };
  const ownDlx = options.queueOptions?.deadLetterExchange !== undefined || options.queueOptions?.arguments?.['x-dead-letter-exchange'] !== undefined;
  let deadLetterQueue: string | undefined;
  if (options.deadLetterQueue !== undefined) deadLetterQueue = options.deadLetterQueue || undefined;
  else if (named && !ownDlx) deadLetterQueue = `${queue}.dlq`;
  return { retry, deadLetterQueue };
}

/** Whether some policy sends a retry straight back into the queue (mode 'requeue', or a zero delay) rather than through a delay queue. */
export function retriesInPlace(policies: HandlerPolicy[]): boolean {
  return policies.some((policy) => policy.retry && (policy.retry.mode === 'requeue' || retryDelays(policy.retry).includes(0)));
}

/** Distinct delay steps a set of policies needs for one queue. */
export function delaySteps(policies: HandlerPolicy[]): number[] {
  const steps = new Set<number>();
  for (const policy of policies) {
    if (policy.retry && policy.retry.mode === 'delay') for (const delay of retryDelays(policy.retry)) steps.add(delay);
  }
  return [...steps].sort((a, b) => a - b);
}
