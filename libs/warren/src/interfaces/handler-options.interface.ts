import type { Options } from 'amqplib';
import type { RetryOptions } from './retry-options.interface';
import type { BatchOptions } from './batch-options.interface';
import type { MessageDeserializer, MessageErrorHandler, MessageHandlerErrorBehavior } from './error-handling.interface';
import type { StandardSchemaV1 } from '../validation/standard-schema';

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
  /**
   * A named entry of the module's `channels`: its `prefetchCount` applies to this handler's queue
   * (Warren still gives every queue a channel of its own). An unknown name logs a warning.
   */
  channel?: string;
}

/**
 * `'classic'`: a queue on one node. `'quorum'`: a replicated queue that survives the loss of a
 * minority of a cluster's nodes and counts deliveries (see `deliveryLimit`).
 */
export type QueueType = 'classic' | 'quorum';

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
  /**
   * The type of this handler's queue; its retry and dead-letter queues are of the same type.
   * Options a quorum queue refuses (exclusive, auto-delete, no queue name, `x-max-priority` before
   * RabbitMQ 4.0…) fail the start-up with a `WarrenConfigurationError` naming the option. From 4.0 a
   * quorum queue takes `maxPriority` / `x-max-priority` (not sent: it has priorities of its own,
   * two levels on 4.0–4.2 where above 4 is high, 32 strict ones from 4.3).
   * An `x-queue-type` in `queueOptions.arguments` counts too. @default the module's `queueType`
   */
  queueType?: QueueType;
  /**
   * Quorum queues only: deliveries after which the broker itself dead-letters a message into the
   * handler's dead-letter queue (`x-death` reason `delivery_limit`), the safety net for a message
   * that kills its consumer process before Warren can settle it, or that its handler keeps sending
   * back (`Nack(true)`, `errorBehavior: 'REQUEUE'`: Warren requeues those with `basic.reject`,
   * which every version counts). `-1`: no limit (RabbitMQ 4.0+; refused on 3.x, which would
   * dead-letter at the first return). @default the module's `deliveryLimit`
   */
  deliveryLimit?: number;
  /** Unacknowledged deliveries for this handler's queue. @default the module's `prefetch` */
  prefetch?: number;
  /** Bytes of deliveries its queue's consumer holds at once (see the module's `consumer`). @default the module's `consumer.maxInFlightBytes` */
  maxInFlightBytes?: number;
  /** This handler's retry policy, or `false` for none. @default the module's `retry` */
  retry?: RetryOptions | false;
  /**
   * Where messages that failed for good are parked, with headers saying why. `false` rejects
   * them instead (the broker then drops them, or dead-letters them if the queue has a
   * dead-letter exchange of its own, which Warren also respects when it is set).
   * @default '<queue>.dlq'
   */
  deadLetterQueue?: string | false;
  /**
   * A Standard Schema (zod 4, valibot 1, arktype 2…) the payload must satisfy: the handler receives
   * the schema's output (transforms applied, async schemas awaited). An invalid payload never reaches
   * the handler: an RPC caller gets `VALIDATION_FAILED` with the issues, a subscriber's message is
   * parked at once. Giving a class-validator DTO as well (the payload parameter's class, a contract's
   * DTO) fails the start-up. @default none: the payload parameter's DTO or primitive type is checked
   */
  schema?: StandardSchemaV1;
  /** `false` skips every check of this handler's payload (schema, DTO, primitive type). @default true */
  validate?: boolean;
  /**
   * A body that cannot be decoded (declared JSON but is not, or the deserializer threw) reaches
   * the handler as its text instead of being parked as malformed. @default false
   */
  allowNonJsonMessages?: boolean;
  /**
   * What a failure does instead of Warren's retry and dead-letter queue (subscribers only; see the
   * README's Migrating section). @default the module's `defaultSubscribeErrorBehavior`, else Warren's retry
   */
  errorBehavior?: MessageHandlerErrorBehavior | 'ACK' | 'NACK' | 'REQUEUE';
  /** Settles failed messages itself; takes precedence over `errorBehavior`. For RPC, replaces the error reply. */
  errorHandler?: MessageErrorHandler;
  /** Decodes this handler's bodies. @default the module's `deserializer`, else decoding by content type */
  deserializer?: MessageDeserializer;
  /**
   * Subscribers only: the handler receives arrays of messages; the batch is acked together. After a
   * failed batch its messages run again one at a time, so the handler must be idempotent.
   */
  batchOptions?: BatchOptions;
  /** The named connection (a `WarrenModule` with that `name`) this handler consumes through. @default 'default' */
  connection?: string;
  /** Picks this handler's entry in the module's `handlers`, whose options override the decorator's. */
  name?: string;
  /** Not supported: a queue declared with other arguments fails the start-up with the broker's reason. */
  assertQueueErrorHandler?: unknown;
  /** The DTO payloads are validated against when the payload parameter is not typed with a class (set from a contract). */
  payloadDto?: new (...args: never[]) => object;
  /** The contract's schema (set from a contract), so that a different `schema` given beside it is refused. */
  contractSchema?: StandardSchemaV1;
  /** RPC replies are sent persistent. @default false */
  usePersistentReplyTo?: boolean;
}

export type RabbitHandlerType = 'subscribe' | 'rpc';

/** What the handler decorators store under `warren:handler`. */
export interface RabbitHandlerMetadata extends MessageHandlerOptions {
  type: RabbitHandlerType;
}
