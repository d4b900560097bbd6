import type { Options } from 'amqplib';
import type { RetryOptions } from './retry-options.interface';

/** A queue binding to one exchange/routing key pair. */
export interface RabbitSubscribeBinding {
  exchange: string;
  routingKey: string;
}

/** Queue arguments, named as golevelup names them. */
export interface QueueOptions extends Options.AssertQueue {
  /** Arguments for the queue bindings (e.g. for a headers exchange). */
  bindQueueArguments?: Record<string, unknown>;
  /** amqplib consume options (e.g. `priority`). */
  consumerOptions?: Options.Consume;
  /** Accepted for golevelup compatibility; Warren gives every queue its own channel. */
  channel?: string;
}

/** Options of `@RabbitSubscribe` and `@RabbitRPC`; the names are golevelup's. */
export interface MessageHandlerOptions {
  /** Exchange to bind the queue to. Omit it to consume `queue` through the default exchange. */
  exchange?: string;
  /** Binding key(s); topic wildcards `*` and `#` allowed. */
  routingKey?: string | string[];
  /** Queue name. Omit for a server-named, exclusive queue that lives as long as the connection. */
  queue?: string;
  /** Queue declaration options. Named queues default to durable; unnamed ones to exclusive. */
  queueOptions?: QueueOptions;
  /** More bindings, possibly to other exchanges. */
  bindings?: RabbitSubscribeBinding[];
  /** `false` checks that the queue exists instead of declaring it. @default true */
  createQueueIfNotExists?: boolean;
  /** Unacknowledged deliveries for this handler's queue. @default the module's `prefetch` */
  prefetch?: number;
  /** This handler's retry policy, or `false` for none. @default the module's `retry` */
  retry?: RetryOptions | false;
  /**
   * Where messages that failed for good are parked, with headers saying why. `false` rejects
   * them instead (the broker then drops them, or dead-letters them if the queue has a
   * dead-letter exchange of its own, which Warren also respects when it is set).
   * @default '<queue>.dlq'
   */
  deadLetterQueue?: string | false;
  /** `false` skips DTO validation for this handler. @default true */
  validate?: boolean;
  /** Accepted for golevelup compatibility: Warren always accepts non-JSON bodies by content type. */
  allowNonJsonMessages?: boolean;
  /** golevelup options Warren replaces with its own behaviour; a warning is logged if set. */
  errorBehavior?: unknown;
  errorHandler?: unknown;
  deserializer?: unknown;
  batchOptions?: unknown;
  connection?: string;
  name?: string;
  usePersistentReplyTo?: boolean;
}

export type RabbitHandlerType = 'subscribe' | 'rpc';

/** What the handler decorators store under `warren:handler`. */
export interface RabbitHandlerMetadata extends MessageHandlerOptions {
  type: RabbitHandlerType;
}
