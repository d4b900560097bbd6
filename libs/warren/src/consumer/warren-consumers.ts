import { Injectable } from '@nestjs/common';
import { WarrenConfigurationError } from '../errors/configuration.error';
import { WarrenOrchestrator } from '../warren.orchestrator';
import type { ConsumeMessage } from 'amqplib';
import type { RabbitHandlerMetadata } from '../interfaces';
import type { QueueConsumer } from './queue-consumer';

/**
 * A handler function given at run time: the decoded payload, the raw message, its headers, and
 * (when it declares a fourth parameter, or has `timeoutMs`) the signal Warren aborts when it stops
 * waiting for it (its deadline, the drain deadline, its channel lost).
 */
export type RunTimeHandler = (payload: unknown, message: ConsumeMessage, headers: Record<string, unknown>, signal: AbortSignal | undefined) => unknown;

/** Why a consumer is paused: `pause()` ('user'), or a handler's open circuit breaker. */
export type PauseCause = 'user' | 'circuit-breaker';

/** One handler's circuit breaker, as `ConsumerState.circuitBreakers` lists it. */
export interface CircuitBreakerState {
  handler: string;
  /** 'open': its queue is not consumed; 'half-open': trial deliveries decide. */
  state: 'closed' | 'open' | 'half-open';
  /** Times it opened (a failed trial included) since start-up. */
  trips: number;
}

/** State of one queue's consumer, as `WarrenConsumers.list()` reports it. */
export interface ConsumerState {
  queue: string;
  consumerTag: string;
  handlers: string[];
  /** Not consuming on purpose: paused by `pause()` or by a handler's circuit breaker (see `pausedBy`). */
  paused: boolean;
  /** Why it is paused (both, when a user paused it and a breaker is open); empty while it consumes. */
  pausedBy: PauseCause[];
  /**
   * The broker has it subscribed: its consume-ok arrived on the channel that is open now (false
   * while paused, while its channel or connection is re-opening or re-subscribing, or shut down).
   */
  attached: boolean;
  inFlight: number;
  /** The circuit breakers of its handlers that have one (`circuitBreaker` option); absent when none has. */
  circuitBreakers?: CircuitBreakerState[];
}

/**
 * Pauses and resumes consumption by queue name (e.g. while a downstream dependency is down).
 * A paused consumer stays paused across reconnects; messages wait in the broker meanwhile.
 */
@Injectable()
export class WarrenConsumers {
  constructor(private readonly orchestrator: WarrenOrchestrator) {}

  /** Every consumer of this connection: queue, tag, handlers, paused, attached, deliveries in flight. */
  list(): ConsumerState[] {
    return this.orchestrator.queueConsumers.map((consumer) => ({
      queue: consumer.queue,
      consumerTag: consumer.tag,
      handlers: consumer.handlerNames.split(', '),
      paused: consumer.pausedBy.length > 0,
      pausedBy: consumer.pausedBy,
      attached: consumer.isAttached,
      inFlight: consumer.inFlightCount,
      ...(consumer.circuitBreakers ? { circuitBreakers: consumer.circuitBreakers } : {}),
    }));
  }

  /** Pauses the consumer of a queue, or the one with this consumer tag. */
  async pause(queueOrTag: string): Promise<void> {
    // The consumer reports the pause (cause 'user') through WarrenStatus.on when its state changes.
    await this.find(queueOrTag).pause();
  }

  /** Resumes a paused consumer (by queue or consumer tag): it subscribes again with the same tag. */
  async resume(queueOrTag: string): Promise<void> {
    await this.find(queueOrTag).resume();
  }

  /**
   * Starts consuming for a handler function given at run time, with the options a decorator
   * takes (retry, dead-letter queue, Nack, errorBehavior… all apply). Resolves once it consumes.
   */
  async add(options: RabbitHandlerMetadata, handler: RunTimeHandler, name = 'handler'): Promise<ConsumerState> {
    const [state] = await this.addMany([{ options, handler, name }]);
    return state;
  }

  /**
   * Several run-time handlers at once: those naming the same queue share one consumer, routed by
   * routing key. `wantsSignal`: each delivery gets an AbortSignal even without a `timeoutMs`
   * (default: when the function declares a fourth parameter). All or nothing: if one queue cannot
   * be consumed (it exists with other arguments, say), none of these stay consuming and the error
   * names that queue.
   */
  async addMany(entries: Array<{ options: RabbitHandlerMetadata; handler: RunTimeHandler; name?: string; wantsSignal?: boolean }>): Promise<ConsumerState[]> {
    const consumers = await this.orchestrator.addConsumers(
      entries.map(({ options, handler, name, wantsSignal }) => ({
        name: name ?? 'handler',
        options,
        invoke: async (payload, message, headers, signal) => handler(payload, message, headers, signal),
        // A signal per delivery only for a handler that takes one (or has a deadline).
        wantsSignal: wantsSignal ?? handler.length >= 4,
      })),
    );
    const tags = new Set(consumers.map((consumer) => consumer.tag));
    return this.list().filter((state) => tags.has(state.consumerTag));
  }

  private find(queueOrTag: string): QueueConsumer {
    const consumers = this.orchestrator.queueConsumers;
    const consumer = consumers.find((c) => c.queue === queueOrTag) ?? consumers.find((c) => c.tag === queueOrTag);
    if (!consumer) {
      const known = this.orchestrator.queueConsumers.map((c) => c.queue).join(', ') || 'none';
      throw new WarrenConfigurationError(`No Warren consumer on queue '${queueOrTag}' (consumed queues: ${known}; a consumer tag is accepted too)`);
    }
    return consumer;
  }
}
