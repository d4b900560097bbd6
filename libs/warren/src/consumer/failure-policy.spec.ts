import { MalformedMessageError } from '../errors/malformed-message.error';
import { MessageValidationError } from '../errors/message-validation.error';
import { NonRetryableError } from '../errors/non-retryable.error';
import { attemptOf, decideFailure, delayQueueName, resolveRetry, retryDelays } from './failure-policy';

describe('failure policy', () => {
  const defaults = resolveRetry(undefined, undefined);

  it('defaults to 5 attempts, 1 s doubling up to 60 s, through delay queues', () => {
    expect(defaults).toEqual({ attempts: 5, initialDelayMs: 1000, multiplier: 2, maxDelayMs: 60000, mode: 'delay' });
    expect(retryDelays(defaults as any)).toEqual([1000, 2000, 4000, 8000]);
  });

  it('caps delays at maxDelayMs', () => {
    expect(retryDelays({ attempts: 6, initialDelayMs: 10_000, multiplier: 3, maxDelayMs: 60_000, mode: 'delay' })).toEqual([
      10_000, 30_000, 60_000, 60_000, 60_000,
    ]);
  });

  it("merges handler over module policy, and false on either turns retries off", () => {
    expect(resolveRetry({ attempts: 2 }, { initialDelayMs: 50 })).toMatchObject({ attempts: 2, initialDelayMs: 50, multiplier: 2 });
    expect(resolveRetry(false, { attempts: 3 })).toBe(false);
    expect(resolveRetry(undefined, false)).toBe(false);
    expect(resolveRetry({ attempts: 3 }, false)).toMatchObject({ attempts: 3 });
  });

  it('reads the attempt from the warren-attempt header, 1 when absent or garbage', () => {
    expect(attemptOf(undefined)).toBe(1);
    expect(attemptOf({ 'warren-attempt': 3 })).toBe(3);
    expect(attemptOf({ 'warren-attempt': 'x' })).toBe(1);
    expect(attemptOf({ 'x-death': [{ count: 9 }] })).toBe(1);
  });

  it('retries retryable errors until the last attempt, then dead-letters', () => {
    const error = new Error('flaky');
    expect(decideFailure(error, 1, defaults, true)).toEqual({ kind: 'retry', attempt: 2, delayMs: 1000 });
    expect(decideFailure(error, 4, defaults, true)).toEqual({ kind: 'retry', attempt: 5, delayMs: 8000 });
    expect(decideFailure(error, 5, defaults, true)).toEqual({ kind: 'dead-letter' });
    expect(decideFailure(error, 5, defaults, false)).toEqual({ kind: 'reject' });
  });

  it('requeue mode retries at once, still bounded', () => {
    const requeue = resolveRetry({ mode: 'requeue', attempts: 2 }, undefined);
    expect(decideFailure(new Error('x'), 1, requeue, true)).toEqual({ kind: 'retry', attempt: 2, delayMs: 0 });
    expect(decideFailure(new Error('x'), 2, requeue, true)).toEqual({ kind: 'dead-letter' });
  });

  it('dead-letters errors no retry can fix at once', () => {
    for (const error of [
      new MessageValidationError('Dto', []),
      new MalformedMessageError('bad json'),
      new NonRetryableError('order does not exist'),
    ]) {
      expect(decideFailure(error, 1, defaults, true)).toEqual({ kind: 'dead-letter' });
    }
  });

  it('names one delay queue per step', () => {
    expect(delayQueueName('orders', 2000)).toBe('orders.retry.2000ms');
  });
});
