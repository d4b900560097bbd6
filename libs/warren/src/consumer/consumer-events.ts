import { EventEmitter } from 'events';
import type { PauseCause } from './warren-consumers';

/** A consumer stopped or started consuming for one cause (another may still hold it). */
export interface ConsumerEvent {
  queue: string;
  cause: PauseCause;
}

interface EventMap {
  'consumer-paused': [ConsumerEvent];
  'consumer-resumed': [ConsumerEvent];
}

/**
 * @internal For now: what the connection-events work will build on. `consumer-paused` when a cause
 * starts holding a consumer (`WarrenConsumers.pause()`: 'user'; an open circuit breaker:
 * 'circuit-breaker'), `consumer-resumed` when that cause lets go (a resume; a breaker turning
 * half-open). Listeners run synchronously; one that throws is ignored.
 */
export class ConsumerEvents {
  private readonly emitter = new EventEmitter();

  on<K extends keyof EventMap>(event: K, listener: (...args: EventMap[K]) => void): this {
    this.emitter.on(event, listener as (...args: unknown[]) => void);
    return this;
  }

  off<K extends keyof EventMap>(event: K, listener: (...args: EventMap[K]) => void): this {
    this.emitter.off(event, listener as (...args: unknown[]) => void);
    return this;
  }

  emit<K extends keyof EventMap>(event: K, ...args: EventMap[K]): void {
    for (const listener of this.emitter.listeners(event)) {
      try {
        (listener as (...a: EventMap[K]) => void)(...args);
      } catch {
        // a listener's failure is not the consumer's
      }
    }
  }
}
