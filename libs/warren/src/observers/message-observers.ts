import { Injectable } from '@nestjs/common';
import type { ConsumeMessage, Options } from 'amqplib';

/** A publish (or emit) that finished: confirmed, or failed with `error`. */
export interface PublishedRecord {
  exchange: string;
  routingKey: string;
  /** The message as given to `publish()` (before encoding). */
  message: unknown;
  properties: Options.Publish;
  confirmed: boolean;
  error?: Error;
}

/**
 * How a delivery ended. `requeued`: back to its queue as a failed attempt (`basic.reject`, counted
 * toward a quorum queue's delivery limit); `returned`: back unprocessed (`basic.nack`: shutdown's
 * leftovers, deliveries after the cancel).
 */
export type DeliveryOutcome = 'acked' | 'retried' | 'dead-lettered' | 'rejected' | 'requeued' | 'returned';

/** A delivery that was settled, with its handler and what became of it. */
export interface ConsumedRecord {
  queue: string;
  /** `ClassName.method` of the handler that took it, when one did. */
  handler?: string;
  message: ConsumeMessage;
  outcome: DeliveryOutcome;
  /** What the handler threw (or the validation or decoding error), when it failed. */
  error?: unknown;
}

/**
 * Told of every finished publish and every settled delivery of one connection (the test harness is one); its failures are ignored.
 */
export interface MessageObserver {
  /** A publish finished: confirmed, or failed with `error`. */
  published?(record: PublishedRecord): void;
  /** A delivery was settled: acked, retried, dead-lettered, rejected or requeued. */
  consumed?(record: ConsumedRecord): void;
}

/**
 * Observers of one Warren connection's publishes and settled deliveries — what the testing
 * harness, audit logs or custom metrics build on. Without observers the hot path pays one size check.
 * An observer that throws is ignored (it must never change how a message is settled).
 */
@Injectable()
export class MessageObservers {
  private readonly observers = new Set<MessageObserver>();

  /** Adds an observer until the returned function is called. */
  add(observer: MessageObserver): () => void {
    this.observers.add(observer);
    return () => this.observers.delete(observer);
  }

  get active(): boolean {
    return this.observers.size > 0;
  }

  /** Tells every observer of a finished publish (Warren calls it). */
  published(record: PublishedRecord): void {
    for (const observer of this.observers) {
      try {
        observer.published?.(record);
      } catch {
        // an observer's failure is its own
      }
    }
  }

  /** Tells every observer of a settled delivery (Warren calls it). */
  consumed(record: ConsumedRecord): void {
    for (const observer of this.observers) {
      try {
        observer.consumed?.(record);
      } catch {
        // an observer's failure is its own
      }
    }
  }
}

/** Reports a publish's outcome to the observers once it settles; returns the caller's promise unchanged. */
export function observePublish(
  observers: MessageObservers,
  promise: Promise<void>,
  record: Omit<PublishedRecord, 'confirmed' | 'error'>,
): Promise<void> {
  promise.then(
    () => observers.published({ ...record, confirmed: true }),
    (error: Error) => observers.published({ ...record, confirmed: false, error }),
  );
  return promise;
}
