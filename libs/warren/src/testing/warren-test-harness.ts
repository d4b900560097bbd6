import { Injectable, OnModuleDestroy, Type } from '@nestjs/common';
import { decodeBody } from '../codec/message-codec';
import { ConsumedRecord, DeliveryOutcome, MessageObservers, PublishedRecord } from '../observers/message-observers';

/** Picks records: every given field must match (`routingKey` may be a RegExp); `where` has the last word. */
export interface MessageFilter<R> {
  exchange?: string;
  routingKey?: string | RegExp;
  /** Consumed records: the queue it was consumed from. */
  queue?: string;
  /** Consumed records: `ClassName.method` of the handler. */
  handler?: string;
  /** Consumed records: how it ended. */
  outcome?: DeliveryOutcome;
  /** Any other condition on the record. */
  where?: (record: R) => boolean;
}

/** How long a waiting call waits before it rejects, saying what it saw instead. */
export interface WaitOptions {
  /** @default 5000 */
  timeoutMs?: number;
}

/** A consumed message with its body decoded as its handler saw it (JSON, text or Buffer). */
export interface HarnessConsumed extends ConsumedRecord {
  body: unknown;
  exchange: string;
  routingKey: string;
}

/** What a handler was called with, and how each call ended. */
export interface HandlerSpy {
  /** The handler's calls so far, oldest first. */
  calls(): HarnessConsumed[];
  /** Resolves with the calls once there are at least `count`. */
  waitForCalls(count?: number, options?: WaitOptions): Promise<HarnessConsumed[]>;
}

interface Waiter {
  test(): unknown;
  resolve(value: unknown): void;
}

/**
 * Sees what Warren published and consumed in this app — with the in-memory broker
 * (`WarrenTestingModule` provides it) and with a real one (add `WarrenTestHarness` to your testing
 * module's providers). Waiting forms resolve with the record, including records from before the call,
 * and reject after `timeoutMs` saying what was seen instead: no sleeps in tests.
 */
@Injectable()
export class WarrenTestHarness implements OnModuleDestroy {
  private readonly publishedRecords: PublishedRecord[] = [];
  private readonly consumedRecords: HarnessConsumed[] = [];
  private readonly waiters = new Set<Waiter>();
  private readonly detach: () => void;

  constructor(observers: MessageObservers) {
    this.detach = observers.add({
      published: (record) => this.record(this.publishedRecords, record),
      consumed: (record) => this.record(this.consumedRecords, withBody(record)),
    });
  }

  /** Publishes that finished (confirmed or failed), oldest first. */
  published(filter: MessageFilter<PublishedRecord> = {}): PublishedRecord[] {
    return this.publishedRecords.filter((record) => matches(filter, record));
  }

  /** Deliveries that were settled, whatever the outcome, oldest first. */
  consumed(filter: MessageFilter<HarnessConsumed> = {}): HarnessConsumed[] {
    return this.consumedRecords.filter((record) => matches(filter, record));
  }

  /** Deliveries parked in a dead-letter queue by Warren. */
  deadLettered(filter: MessageFilter<HarnessConsumed> = {}): HarnessConsumed[] {
    return this.consumed({ ...filter, outcome: 'dead-lettered' });
  }

  /** Resolves with the first finished publish that matches (also one from before the call). */
  waitForPublished(filter: MessageFilter<PublishedRecord> = {}, options: WaitOptions = {}): Promise<PublishedRecord> {
    return this.waitFor(() => this.published(filter)[0], `a publish matching ${describe(filter)}`, () => this.publishedRecords.map(summary), options);
  }

  /** Resolves with the first settled delivery that matches (also one from before the call). */
  waitForConsumed(filter: MessageFilter<HarnessConsumed> = {}, options: WaitOptions = {}): Promise<HarnessConsumed> {
    return this.waitFor(() => this.consumed(filter)[0], `a delivery matching ${describe(filter)}`, () => this.consumedRecords.map(summary), options);
  }

  /** Resolves with the first delivery Warren parked in a dead-letter queue that matches. */
  waitForDeadLettered(filter: MessageFilter<HarnessConsumed> = {}, options: WaitOptions = {}): Promise<HarnessConsumed> {
    return this.waitForConsumed({ ...filter, outcome: 'dead-lettered' }, options);
  }

  /** The calls of one handler method (`@RabbitSubscribe` / `@RabbitRPC`), seen through its settled deliveries. */
  spy<T>(handlerClass: Type<T>, method: keyof T & string): HandlerSpy {
    const handler = `${handlerClass.name}.${method}`;
    const calls = () => this.consumed({ handler });
    return {
      calls,
      waitForCalls: (count = 1, options = {}) =>
        this.waitFor(() => (calls().length >= count ? calls() : undefined), `${count} call(s) of ${handler}`, () => calls().map(summary), options),
    };
  }

  /** Forgets what was recorded (between tests that share an app). */
  reset(): void {
    this.publishedRecords.length = 0;
    this.consumedRecords.length = 0;
  }

  /** Nest lifecycle hook: stops observing. */
  onModuleDestroy(): void {
    this.detach();
  }

  private record<R>(list: R[], record: R): void {
    list.push(record);
    for (const waiter of [...this.waiters]) {
      const found = waiter.test();
      if (found !== undefined) waiter.resolve(found);
    }
  }

  private waitFor<R>(find: () => R | undefined, what: string, seen: () => string[], { timeoutMs = 5_000 }: WaitOptions): Promise<R> {
    const found = find();
    if (found !== undefined) return Promise.resolve(found);
    return new Promise<R>((resolve, reject) => {
      const waiter: Waiter = {
        test: find,
        resolve: (value) => {
          clearTimeout(timer);
          this.waiters.delete(waiter);
          resolve(value as R);
        },
      };
      const timer = setTimeout(() => {
        this.waiters.delete(waiter);
        const records = seen();
        reject(new Error(`Timed out after ${timeoutMs} ms waiting for ${what}; saw ${records.length === 0 ? 'nothing' : records.slice(-10).join('; ')}`));
      }, timeoutMs);
      this.waiters.add(waiter);
    });
  }
}

function withBody(record: ConsumedRecord): HarnessConsumed {
  let body: unknown;
  try {
    body = decodeBody(record.message.content, record.message.properties.contentType as string | undefined);
  } catch {
    body = record.message.content;
  }
  return { ...record, body, exchange: record.message.fields.exchange, routingKey: record.message.fields.routingKey };
}

function matches<R extends { exchange?: string; routingKey?: string; queue?: string; handler?: string; outcome?: DeliveryOutcome }>(filter: MessageFilter<R>, record: R): boolean {
  if (filter.exchange !== undefined && record.exchange !== filter.exchange) return false;
  if (filter.routingKey !== undefined) {
    const key = record.routingKey ?? '';
    if (typeof filter.routingKey === 'string' ? key !== filter.routingKey : !filter.routingKey.test(key)) return false;
  }
  if (filter.queue !== undefined && record.queue !== filter.queue) return false;
  if (filter.handler !== undefined && record.handler !== filter.handler) return false;
  if (filter.outcome !== undefined && record.outcome !== filter.outcome) return false;
  return filter.where ? filter.where(record) : true;
}

function describe(filter: MessageFilter<never>): string {
  const { where, ...fields } = filter;
  const text = Object.entries(fields).map(([name, value]) => `${name}=${String(value)}`).join(', ');
  return `{ ${text}${where ? `${text ? ', ' : ''}where` : ''} }`;
}

function summary(record: PublishedRecord | HarnessConsumed): string {
  if ('outcome' in record) return `${record.queue} ${record.routingKey} → ${record.outcome}${record.handler ? ` (${record.handler})` : ''}`;
  return `${record.exchange || '(default)'}/${record.routingKey} ${record.confirmed ? 'confirmed' : `failed: ${record.error?.message}`}`;
}
