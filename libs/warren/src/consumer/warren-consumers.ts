import { Injectable } from '@nestjs/common';
import { WarrenConfigurationError } from '../errors/configuration.error';
import { WarrenOrchestrator } from '../warren.orchestrator';
import type { QueueConsumer } from './queue-consumer';

/** State of one queue's consumer, as `WarrenConsumers.list()` reports it. */
export interface ConsumerState {
  queue: string;
  handlers: string[];
  paused: boolean;
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
      handlers: consumer.handlerNames.split(', '),
      paused: consumer.isPaused,
      inFlight: consumer.inFlightCount,
    }));
  }

  async pause(queue: string): Promise<void> {
    await this.find(queue).pause();
  }

  async resume(queue: string): Promise<void> {
    await this.find(queue).resume();
  }

  private find(queue: string): QueueConsumer {
    const consumer = this.orchestrator.queueConsumers.find((c) => c.queue === queue);
    if (!consumer) {
      const known = this.orchestrator.queueConsumers.map((c) => c.queue).join(', ') || 'none';
      throw new WarrenConfigurationError(`No Warren consumer on queue '${queue}' (consumed queues: ${known})`);
    }
    return consumer;
  }
}
