import type { LoggerService } from '@nestjs/common';
import type { Options } from 'amqplib';
import type { ValidatorOptions } from 'class-validator';
import type { RetryOptions } from './retry-options.interface';
import type { MessageDeserializer, MessageErrorHandler, MessageHandlerErrorBehavior, MessageSerializer } from './error-handling.interface';
import type { MessageHandlerOptions, QueueType } from './handler-options.interface';
import type { PublishOptions } from './publish-options.interface';
import type { WarrenPublication, WarrenTopology } from '../topology/topology.interface';
import type { EventContract, RpcContract } from '../contracts/contracts';
import type { BrokerConnector } from '../connection/broker-link';
import type { WarrenPassThroughOptions } from './pass-through.interface';

/** An exchange Warren declares at start-up. */
export interface WarrenExchangeOptions {
  name: string;
  /** @default 'topic' */
  type?: 'topic' | 'direct' | 'fanout' | 'headers' | (string & {});
  /** amqplib's assertExchange options. @default { durable: true } */
  options?: Options.AssertExchange;
  /** `false` only checks that the exchange exists (start-up fails if it does not). @default true */
  createExchangeIfNotExists?: boolean;
}

/**
 * `connection.reconnect`: after a drop, the pause before attempt n+1 is `reconnectDelayMs × 2^n`,
 * capped at `maxDelayMs`, less up to 25 % at random (jitter). Both connections of a Warren (the
 * main one and `<name>.publish`) follow it; when either runs out of attempts the whole Warren gives
 * up: it closes both, emits `gave-up`, reports it in `WarrenStatus.check()` (down), and rejects
 * what was buffered and every later publish and request with `ConnectionGaveUpError`
 * (`CONNECTION_GAVE_UP`). Start-up is not covered: it is bounded by `connectTimeoutMs`.
 */
export interface WarrenReconnectOptions {
  /**
   * Failed attempts in a row (each URI tried counts as one) after which Warren gives up; a
   * successful connect starts the count again. @default undefined (never give up)
   */
  maxAttempts?: number;
  /** Longest pause between attempts. @default 30000, or `reconnectDelayMs` when that is longer */
  maxDelayMs?: number;
}

/** How Warren connects (`connection` option). */
export interface WarrenConnectionOptions {
  /** How long start-up waits for the broker before failing with `BrokerConnectionError`. @default 5000 */
  connectTimeoutMs?: number;
  /**
   * AMQP heartbeat interval proposed to the broker, in whole seconds; `0` turns heartbeats off
   * (amqplib 2.x; amqplib 0.10 took 0 as "the broker's value"). @default 5
   */
  heartbeatSeconds?: number;
  /**
   * Pause between reconnect attempts after the connection drops (with `reconnect`, the first pause,
   * which then doubles). @default 1000
   */
  reconnectDelayMs?: number;
  /**
   * Reconnect with exponential backoff, and give up after `maxAttempts`. Without it Warren
   * reconnects forever, every `reconnectDelayMs`. @default undefined (forever, at a fixed pause)
   */
  reconnect?: WarrenReconnectOptions;
  /**
   * Disable Nagle's algorithm on the socket. Without it every RPC round trip waits ~40 ms
   * for delayed ACKs; leave it on unless you know why. @default true
   */
  noDelay?: boolean;
  /**
   * Hand the socket every frame sent in one turn of the event loop as one write (one `writev`)
   * instead of one write per frame: fewer system calls and TCP segments for this process and the
   * broker when many messages, acks or replies go out together; no added latency. @default true
   */
  coalesceWrites?: boolean;
  /**
   * Consumer channels (one per consumed queue) on one connection. Past it, Warren opens another
   * connection (named `<name>.2`, `<name>.3`, …) for the next consumers, so an app with thousands of
   * handler queues does not run out of channels (RabbitMQ's `channel_max` is 2,047 by default; a lower
   * one the broker announces is respected). @default 1000
   */
  maxConsumerChannels?: number;
  /** Connection name shown in the RabbitMQ management UI. @default 'warren' */
  name?: string;
  /**
   * Let a failover list mix `amqps://` and `amqp://` URIs. Off, such a list is refused at start-up
   * (`WarrenConfigurationError`): when the TLS brokers are down, Warren would fall back to plaintext
   * and send the credentials and every message in clear. On, it is accepted with a warning.
   * @default false
   */
  allowPlaintextFallback?: boolean;
  /**
   * TLS settings for `amqps://` URIs, passed to Node's `tls.connect`: the CA that signed the
   * broker's certificate, and a client certificate and key if the broker asks for one.
   * @default {} (the system's trusted CAs, no client certificate)
   */
  tls?: WarrenTlsOptions;
}

/** TLS for `amqps://` URIs (`connection.tls`): CA, client certificate and key. */
export interface WarrenTlsOptions {
  ca?: string | Buffer | Array<string | Buffer>;
  cert?: string | Buffer;
  key?: string | Buffer;
  passphrase?: string;
  /** Host name to check the broker's certificate against, when it differs from the URI's. */
  servername?: string;
  /**
   * Leave it on: off accepts any certificate, and anyone in the middle (Warren warns at start-up
   * when it is off, here or in golevelup's `connectionOptions`). @default true
   */
  rejectUnauthorized?: boolean;
}

/** The module's `validation`: class-validator's options, and whether senders check contract schemas. */
export interface WarrenValidationOptions extends ValidatorOptions {
  /**
   * `producer.publish(contract, payload)` and `rpc.call(contract, request)` check the payload against
   * the contract's Standard Schema before sending (rejecting with `InvalidMessageError`, field
   * `payload`, nothing sent). `false` skips that check on hot paths; consumers still validate.
   * @default true
   */
  onPublish?: boolean;
}

/** Options of `WarrenModule.forRoot` and `createWarren`; every one has a default (docs/options.md). */
export interface WarrenModuleOptions {
  /**
   * This connection's name, when an application has several (one `WarrenModule` each): handlers
   * whose `connection` option names it consume through it, and its producer, RPC client and
   * consumers are injectable by name (`@InjectProducer(name)`, …). Handlers without `connection`
   * belong to the default one. @default 'default'
   */
  name?: string;
  /**
   * Broker URI, or several for failover (tried in turn).
   * @default process.env.RABBITMQ_URL ?? 'amqp://guest:guest@127.0.0.1:5672'
   */
  uri?: string | string[];
  /** Exchanges to declare at start-up. @default [] */
  exchanges?: WarrenExchangeOptions[];
  /**
   * Type of the named queues handlers consume (a handler's `queueType` wins); server-named queues
   * stay classic. Use `'quorum'` on a cluster. @default 'classic'
   */
  queueType?: QueueType;
  /**
   * Quorum queues: deliveries after which the broker dead-letters a message (into the handler's
   * dead-letter queue) — it crashed its consumer, or was requeued, that many times. @default 20
   */
  deliveryLimit?: number;
  /** Unacknowledged deliveries each consumer may hold; a handler can override it. @default 10 */
  prefetch?: number;
  rpc?: {
    /** Time `RpcClient.request` waits for a reply before rejecting with `RpcTimeoutError`. @default 10000 */
    timeoutMs?: number;
    /**
     * Unacknowledged requests each consumer of a queue that serves only RPC handlers may hold
     * (a handler's own `prefetch` wins). Higher than `prefetch` because requests are answered,
     * not retried: with 10, most of 50 concurrent calls wait in the broker. @default the module's
     * `prefetch` when set, else 100
     */
    prefetch?: number;
    /**
     * Reply queues RPC handlers may answer besides direct reply-to (`amq.rabbitmq.reply-to…`) and
     * server-named queues (`amq.gen-…`): names, or RegExps tested against the request's `reply_to`.
     * A reply is a publish with this application's rights, so a request naming any other queue is
     * acked without running the handler (logged at warn, counted as `warren.rpc.reply_to_refused`).
     * List here the reply queues of clients that name their own (tutorial-style). @default []
     */
    allowedReplyTo?: Array<string | RegExp>;
  };
  publish?: {
    /** Time `MessageProducer.publish` waits for the broker's confirm. @default 10000 */
    timeoutMs?: number;
    /**
     * Publish with the `mandatory` flag, so a message no queue is bound for rejects with
     * `UnroutableMessageError` instead of vanishing. @default true
     */
    mandatory?: boolean;
    /**
     * Messages accepted but not yet confirmed — waiting for a channel, handed to amqplib, or written
     * and awaiting their confirm (also after their confirm timed out) — before `publish()` rejects
     * at once with `BufferOverflowError` (`bound: 'messages'`). @default 10000
     */
    maxBufferedMessages?: number;
    /**
     * Body bytes of those same messages: what a broker alarm or an outage can make this process hold.
     * Over it, `publish()` rejects at once with `BufferOverflowError` (`bound: 'bytes'`); a message
     * alone always fits, so one larger than this can still be sent when nothing else is buffered.
     * @default 64 MiB
     */
    maxBufferedBytes?: number;
  };
  /**
   * Largest body Warren publishes or hands to a handler. A larger delivery is parked in the
   * dead-letter queue as a header-only record (its properties and headers, `warren-body-bytes`,
   * `warren-body-dropped`, an empty body), never retried. @default 16 MiB
   */
  maxMessageBytes?: number;
  consumer?: WarrenConsumerOptions;
  shutdown?: {
    /**
     * On shutdown, how long in-flight handlers and unconfirmed publishes may take.
     * Handlers still running then have their messages returned to the queue. @default 10000
     */
    drainTimeoutMs?: number;
  };
  connection?: WarrenConnectionOptions;
  /**
   * Retry policy of every subscriber (a handler's own `retry` wins); `false` parks a failed
   * message in the dead-letter queue at once. RPC handlers are never retried.
   * @default { attempts: 5, initialDelayMs: 1000, multiplier: 2, maxDelayMs: 60000, mode: 'delay' }
   */
  retry?: RetryOptions | false;
  /**
   * Options for class-validator when a handler's payload is typed with a class, and `onPublish`; or
   * `false` to pass payloads through unchecked by DTOs and parameter types (number, string, boolean),
   * and to send without checking contract schemas. A handler's own Standard Schema (`schema`,
   * `@RabbitPayload({ schema })`, its contract's) still runs: the handler gets its output.
   * Given options are merged over the default, so `forbidUnknownValues` stays on unless set to
   * `false`: a payload (or a nested value) that is no instance of a class with constraints fails,
   * as class-validator itself defaults to.
   * @default { forbidUnknownValues: true, onPublish: true }
   */
  validation?: WarrenValidationOptions | false;
  /** Where Warren logs; `false` silences it. @default Nest's Logger */
  logger?: LoggerService | false;
  /**
   * The application's own redaction, for secrets Warren cannot recognise (API tokens, card numbers):
   * applied, after Warren's removal of passwords in URIs, to every text Warren emits but did not write —
   * error texts in `warren-error` headers, RPC error replies, span statuses and exception events,
   * log lines and shipped log records. Registered when this Warren starts, removed when it closes; it
   * applies to every Warren in the process meanwhile. A hook that throws replaces the text with
   * `(redacted)`. @default undefined (URI credentials only)
   */
  redact?: (text: string) => string;
  /**
   * What Warren does not model, passed on to its connection: `queues` and `exchangeBindings`
   * declared at every (re)connect, amqp-connection-manager's `connectionManagerOptions` (and,
   * with `connector: golevelupConnector`, any other golevelup option). Warren's own options win.
   * @default {}
   */
  golevelup?: WarrenPassThroughOptions;
  /**
   * How the connection is established. By default Warren connects with amqp-connection-manager
   * itself; `golevelupConnector` from `nestjs-warren/golevelup` connects through golevelup's
   * AmqpConnection instead (it needs `@golevelup/nestjs-rabbitmq` installed).
   * @default amqp-connection-manager, directly
   */
  connector?: BrokerConnector;
  /**
   * How handlers read bodies without a content type and encode RPC results. `'golevelup'`: as
   * golevelup 9's do, for a fleet that mixes both — such bodies must be JSON (else the message
   * fails, or with `allowNonJsonMessages` reaches the handler as text), results other than Buffers
   * are sent as JSON (strings too), and replies carry the request's `X-Request-ID`. Messages with a
   * content type are decoded by it either way. `RabbitMQModule` of `nestjs-warren/golevelup` sets it.
   * @default 'warren'
   */
  handlerFormat?: 'warren' | 'golevelup';
  /** `false`: this app publishes and calls but starts no consumer for its handlers. @default true */
  registerHandlers?: boolean;
  /**
   * Handler options by name: a handler whose `name` matches gets these over its decorator's.
   * An array registers the handler once per entry (e.g. on several queues). @default {}
   */
  handlers?: Record<string, MessageHandlerOptions | MessageHandlerOptions[]>;
  /**
   * Named prefetch settings, picked by a handler's `queueOptions.channel`; the entry with
   * `default: true` applies to handlers that name none. @default {}
   */
  channels?: Record<string, WarrenChannelOptions>;
  /**
   * What a failing subscriber's message gets when its handler sets neither `errorBehavior` nor
   * `errorHandler`. @default undefined: Warren's retry, then the dead-letter queue
   */
  defaultSubscribeErrorBehavior?: MessageHandlerErrorBehavior | 'ACK' | 'NACK' | 'REQUEUE';
  /** Settles failed RPC requests instead of Warren's error reply (a handler's `errorHandler` wins). @default undefined */
  defaultRpcErrorHandler?: MessageErrorHandler;
  /** Encodes published values other than Buffers. @default JSON for objects, text for strings */
  serializer?: MessageSerializer;
  /** Decodes every handler's bodies (a handler's own `deserializer` wins). @default decoding by content type */
  deserializer?: MessageDeserializer;
  /** Properties every publish starts from; a call's own options win. @default {} */
  defaultPublishOptions?: PublishOptions;
  /**
   * Exchanges, queues and bindings the application relies on, declared at start (or, with
   * `mode: 'check'`, only checked). Also read from the JSON file `WARREN_TOPOLOGY_FILE` names.
   * @default {}
   */
  topology?: WarrenTopology;
  /** Named destinations for `producer.publishTo(name, message)`. @default {} */
  publications?: Record<string, WarrenPublication>;
  /**
   * Contracts this application publishes or calls (`producer.publish(event, …)`, `rpc.call(contract, …)`),
   * listed as `send` operations in its AsyncAPI document (`nestjs-warren/asyncapi`). The contracts of
   * its own handlers are found without this. @default []
   */
  contracts?: ReadonlyArray<RpcContract<any, any> | EventContract<any>>;
}

/** How each queue's consumer takes deliveries. */
export interface WarrenConsumerOptions {
  /**
   * Bytes of deliveries a consumer holds (received and not yet settled) before it stops taking
   * more: past it, the consumer cancels its subscription and subscribes again once its handlers
   * brought it back under; a delivery waits to enter its handler until its bytes fit beside those
   * already in handlers. A single delivery larger than the budget is still handled, alone. The
   * broker may have sent up to `prefetch` deliveries before the consumer stops, so the memory
   * of bodies is bounded by `min(maxInFlightBytes + one body, prefetch × largest body)`; the hard
   * bound on one body is the broker's `max_message_size`. A handler's own `maxInFlightBytes` wins.
   * @default 64 MiB
   */
  maxInFlightBytes?: number;
}

/** One entry of `channels`. */
export interface WarrenChannelOptions {
  /** Unacknowledged deliveries per consumer. @default the module's `prefetch` */
  prefetchCount?: number;
  /** Applies to handlers that name no channel. @default false */
  default?: boolean;
}

/** Options of `WarrenModule.forRootAsync`. */
export interface WarrenModuleAsyncOptions {
  /** Modules that export what `inject` names (e.g. ConfigModule). */
  imports?: any[];
  inject?: any[];
  /** Builds the options from what `inject` names. */
  useFactory: (...args: any[]) => WarrenModuleOptions | Promise<WarrenModuleOptions>;
  /** The connection's name (see `WarrenModuleOptions.name`); needed here for injection by name. */
  name?: string;
  /** @default true */
  isGlobal?: boolean;
}
