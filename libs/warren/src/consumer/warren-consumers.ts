import { Injectable } from '@nestjs/common';
import { WarrenConfigurationError } from '../errors/configuration.error';
import { WarrenOrchestrator } from '../warren.orchestrator';
import type { ConsumeMessage } from 'amqplib';
import type { RabbitHandlerMetadata } from '../interfaces';
import type { QueueConsumer } from './queue-consumer';

/** A handler function given at run time: the decoded payload, the raw message, its headers. */
export type RunTimeHandler = (payload: unknown, message: ConsumeMessage, headers: Record<string, unknown>) => unknown;

/** State of one queue's consumer, as `WarrenConsumers.list()` reports it. */
export interface ConsumerState {
  queue: string;
  consumerTag: string;
  handlers: string[];
  paused: boolean;
  /**
   * The broker has it subscribed: its consume-ok arrived on the channel that is open now (false
   * while paused, while its channel or connection is re-opening or re-subscribing, or shut down).
   */
  attached: boolean;
  inFlight: number;
}

/**
 * Pauses and resumes consumption by queue name (e.g. while a downstream dependency is down).
 * A paused consumer stays paused across reconnects; messages wait in the broker meanwhile.
 */
@Injectable()
export class WarrenConsumers {
  constructor(private readonly orchestrator: WarrenOrchestrator) {}

  list(): ConsumerState[] {
    return this.orchestrator.queueConsumers.map((consumer) => ({
      queue: consumer.queue,
      consumerTag: consumer.tag,
      handlers: consumer.handlerNames.split(', '),
      paused: consumer.isPaused,
      attached: consumer.isAttached,
      inFlight: consumer.inFlightCount,
    }));
  }

  /** Pauses the consumer of a queue, or the one with this consumer tag. */
  async pause(queueOrTag: string): Promise<void> {
    const consumer = this.find(queueOrTag);
    const wasPaused = consumer.isPaused;
    await consumer.pause();
    if (!wasPaused && consumer.isPaused) this.orchestrator.events.emit('consumer-paused', { queue: consumer.queue, cause: 'user' });
  }

  async resume(queueOrTag: string): Promise<void> {
    const consumer = this.find(queueOrTag);
    const wasPaused = consumer.isPaused;
    await consumer.resume();
    if (wasPaused && !consumer.isPaused) this.orchestrator.events.emit('consumer-resumed', { queue: consumer.queue, cause: 'user' });
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
   * routing key. All or nothing: if one queue cannot be consumed (it exists with other arguments,
   * say), none of these stay consuming and the error names that queue.
   */
  async addMany(entries: Array<{ options: RabbitHandlerMetadata; handler: RunTimeHandler; name?: string }>): Promise<ConsumerState[]> {
    const consumers = await this.orchestrator.addConsumers(
      entries.map(({ options, handler, name }) => ({ name: name ?? 'handler', options, invoke: async (payload, message, headers) => handler(payload, message, headers) })),
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
