import { WarrenConfigurationError } from '../errors/configuration.error';
import type { CircuitBreakerOptions } from '../interfaces';
import { MESSAGES } from '../warren.messages';
import { ContentTypeGate } from './content-type-gate';
import type { HandlerDefinition } from './handler-definition';

/** The longest timer Node keeps (about 24.8 days); a longer one would fire at once. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** One handler's flow control options, checked and resolved once, when it is registered. */
export interface HandlerFlow {
  concurrency?: number;
  timeoutMs?: number;
  circuitBreaker?: Required<CircuitBreakerOptions>;
  accept?: ContentTypeGate;
  /** `ack: 'auto'`, or golevelup's `queueOptions.consumerOptions.noAck: true`. */
  autoAck: boolean;
}

/** Checks a handler's `concurrency`, `timeoutMs`, `circuitBreaker`, `accept` and `ack`; throws `WarrenConfigurationError` naming the handler and option. */
export function resolveHandlerFlow(handler: HandlerDefinition): HandlerFlow {
  const { concurrency, timeoutMs, circuitBreaker, accept, ack, batchOptions } = handler.options;
  const whole = (option: string, value: unknown, max = Number.MAX_SAFE_INTEGER): number => {
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > max) {
      throw new WarrenConfigurationError(MESSAGES.invalidFlowOption(handler.name, option, `a whole number from 1 to ${max}`, value));
    }
    return value;
  };
  if (batchOptions && handler.options.type === 'subscribe') {
    for (const [option, value] of [['concurrency', concurrency], ['timeoutMs', timeoutMs], ['circuitBreaker', circuitBreaker]] as const) {
      if (value !== undefined) throw new WarrenConfigurationError(MESSAGES.flowOptionWithBatch(handler.name, option));
    }
  }
  if (ack !== undefined && ack !== 'auto' && ack !== 'manual') {
    throw new WarrenConfigurationError(MESSAGES.invalidFlowOption(handler.name, 'ack', "'manual' or 'auto'", ack));
  }
  if (accept !== undefined && (!Array.isArray(accept) || accept.length === 0 || accept.some((type) => typeof type !== 'string'))) {
    throw new WarrenConfigurationError(MESSAGES.invalidFlowOption(handler.name, 'accept', "a non-empty array of content types (e.g. ['application/json'])", accept));
  }
  return {
    concurrency: concurrency === undefined ? undefined : whole('concurrency', concurrency),
    timeoutMs: timeoutMs === undefined ? undefined : whole('timeoutMs', timeoutMs, MAX_TIMER_MS),
    circuitBreaker: circuitBreaker === undefined ? undefined : breakerOptions(handler.name, circuitBreaker, whole),
    accept: accept === undefined ? undefined : new ContentTypeGate(handler.name, [...accept]),
    autoAck: ack === 'auto' || handler.options.queueOptions?.consumerOptions?.noAck === true,
  };
}

function breakerOptions(handler: string, options: CircuitBreakerOptions, whole: (option: string, value: unknown, max?: number) => number): Required<CircuitBreakerOptions> {
  if (options === null || typeof options !== 'object') {
    throw new WarrenConfigurationError(MESSAGES.invalidFlowOption(handler, 'circuitBreaker', '{ failureRate, minimumCalls, windowMs, pauseMs }', options));
  }
  const { failureRate } = options;
  if (typeof failureRate !== 'number' || !(failureRate > 0 && failureRate <= 1)) {
    throw new WarrenConfigurationError(MESSAGES.invalidFlowOption(handler, 'circuitBreaker.failureRate', 'a number above 0 and at most 1', failureRate));
  }
  return {
    failureRate,
    minimumCalls: whole('circuitBreaker.minimumCalls', options.minimumCalls),
    windowMs: whole('circuitBreaker.windowMs', options.windowMs, MAX_TIMER_MS),
    pauseMs: whole('circuitBreaker.pauseMs', options.pauseMs, MAX_TIMER_MS),
  };
}

/**
 * Whether a queue is consumed with `noAck`: its handlers share one consumer, so they must agree.
 * Throws `WarrenConfigurationError` naming two that do not.
 */
export function queueAutoAck(queue: string, handlers: HandlerDefinition[], flows: ReadonlyMap<HandlerDefinition, HandlerFlow>): boolean {
  const auto = handlers.find((handler) => flows.get(handler)?.autoAck);
  const manual = handlers.find((handler) => !flows.get(handler)?.autoAck);
  if (auto && manual) throw new WarrenConfigurationError(MESSAGES.ackModeConflict(queue, auto.name, manual.name));
  return auto !== undefined;
}
