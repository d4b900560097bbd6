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

/**
 * When a handler fails too often, its queue stops being consumed for a while. Counted over the
 * deliveries that finished in the last `windowMs`: once at least `minimumCalls` finished and the
 * failed share is at least `failureRate`, the breaker opens: Warren cancels the queue's consumer
 * (messages wait in the queue; deliveries already running finish, those not yet started go back
 * to it), reports the consumer paused by `'circuit-breaker'` (not as down), and after `pauseMs`
 * consumes again half-open: up to 3 deliveries (fewer when `minimumCalls` is smaller) decide;
 * all succeed and it closes, one fails and it opens again.
 *
 * A failure is a handler that threw (a `HandlerTimeoutError` included) an error a retry could fix;
 * a bad message (validation, malformed body, unaccepted content type, too large) and a
 * `NonRetryableError` say nothing of the handler's health and are not counted, nor is a returned `Nack`.
 */
export interface CircuitBreakerOptions {
  /** Failed share (0 < rate ≤ 1) of the finished deliveries at which the breaker opens, e.g. 0.5. */
  failureRate: number;
  /** Deliveries that must have finished within the window before the rate counts (whole number ≥ 1). */
  minimumCalls: number;
  /** How far back finished deliveries count, in ms (in steps of a tenth of it). */
  windowMs: number;
  /** How long the queue stays unconsumed once the breaker opened, in ms, before the half-open trial. */
  pauseMs: number;
}

/**
 * `'manual'`: Warren acks each message once its handler is done (and a failed one's retry copy or
 * dead letter is confirmed). `'auto'`: the broker forgets a message as it sends it (AMQP `noAck`):
 * faster, but every message in flight is lost if the process dies, nothing can go back to the
 * queue (drain, a requeue, a channel lost), and a failure is moved to the retry or dead-letter queue
 * only as a copy Warren publishes; if that publish fails, the message is gone.
 */
export type AckMode = 'manual' | 'auto';

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
   * What a failure does instead of Warren's retry and dead-letter queue (subscribers only; see
   * docs/migrating-from-golevelup.md). @default the module's `defaultSubscribeErrorBehavior`, else Warren's retry
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

  // Flow control (see docs/handlers.md, Flow control). None changes anything unless set.

  /**
   * At most this many invocations of this handler run at once in this app, whatever the prefetch
   * (per handler, also when handlers share a queue). Deliveries beyond it wait in Warren, in
   * arrival order, bounded by the queue's prefetch. Not with `batchOptions`.
   * @default unlimited (as many as the prefetch delivers)
   */
  concurrency?: number;
  /**
   * The longest a handler may run, in ms. At the deadline its `@RabbitSignal()` AbortSignal is
   * aborted and the delivery fails with `HandlerTimeoutError` (code `HANDLER_TIMEOUT`): retried
   * and parked as the handler's retry policy says, or, for RPC, sent to the caller at once. A
   * handler that ignores its signal keeps its `concurrency` slot until it returns, but its message
   * is settled at the deadline and what it does later is ignored. Not with `batchOptions`.
   * @default none
   */
  timeoutMs?: number;
  /** Stops consuming the handler's queue while the handler fails too often. Not with `batchOptions`. @default none */
  circuitBreaker?: CircuitBreakerOptions;
  /**
   * Content types this handler takes (media types, compared without parameters and case, e.g.
   * `'application/json'`; `'text/*'` takes every subtype). A message of another type is parked at
   * once (no retry; `UNSUPPORTED_CONTENT_TYPE`, the reason names its type) and the handler never
   * runs. A message without a content type is refused too, unless the list has `''`.
   * @default every content type
   */
  accept?: string[];
  /**
   * See `AckMode`. `'auto'` (as golevelup's `queueOptions.consumerOptions.noAck: true`) logs a
   * warning at start-up; every handler on a queue must agree. @default 'manual'
   */
  ack?: AckMode;
}

/** The flow control options, as `WarrenServer` takes them for its patterns. */
export type HandlerFlowOptions = Pick<MessageHandlerOptions, 'concurrency' | 'timeoutMs' | 'circuitBreaker' | 'accept' | 'ack'>;

/** A handler's kind: a subscriber, or an RPC handler whose return value is the reply. */
export type RabbitHandlerType = 'subscribe' | 'rpc';

/** What the handler decorators store under `warren:handler`. */
export interface RabbitHandlerMetadata extends MessageHandlerOptions {
  type: RabbitHandlerType;
}
