import type { LoggerService } from '@nestjs/common';
import type { Channel, ConfirmChannel, ConsumeMessage, Options } from 'amqplib';
import type {
  MessageDeserializer,
  MessageErrorHandler,
  MessageHandlerErrorBehavior,
  MessageHandlerOptions,
  MessageSerializer,
  PassThroughExchangeBinding,
  PassThroughQueue,
  RabbitHandlerType,
} from '../interfaces';
import type { Nack } from '../consumer/nack';

/** golevelup's shapes of the module options, so that a golevelup app's configuration compiles unchanged. */

/** A broker address: a URI string or amqplib's connect options. */
export type RabbitMQUriConfig = Options.Connect | string;

/** An exchange `RabbitMQModule` declares (golevelup's `exchanges` entry). */
export interface RabbitMQExchangeConfig {
  name: string;
  /** @default the module's `defaultExchangeType`, else 'topic' */
  type?: string;
  /** `false` checks that the exchange exists instead of declaring it. @default true */
  createExchangeIfNotExists?: boolean;
  options?: Options.AssertExchange;
}

/** A queue `RabbitMQModule` declares and optionally binds (golevelup's `queues` entry). */
export type RabbitMQQueueConfig = PassThroughQueue;
/** An exchange-to-exchange binding (golevelup's `exchangeBindings` entry). */
export type RabbitMQExchangeBindingConfig = PassThroughExchangeBinding;

/**
 * A named channel's prefetch (golevelup's `channels` entry); `default: true` applies it to handlers that name none.
 */
export interface RabbitMQChannelConfig {
  prefetchCount?: number;
  default?: boolean;
}
/** golevelup's `channels` option: channel settings by name. */
export type RabbitMQChannels = Record<string, RabbitMQChannelConfig>;
/** golevelup's `handlers` option: handler options by handler `name`. */
export type RabbitMQHandlers = Record<string, MessageHandlerOptions | MessageHandlerOptions[]>;

/** golevelup's `connectionInitOptions`; Warren always waits and fails start-up without a broker. */
export interface ConnectionInitOptions {
  /** Wait for the broker before the application starts. @default true */
  wait?: boolean;
  /** @default 5000 (Warren: the connect timeout) */
  timeout?: number;
  /** Fail the start-up when the broker cannot be reached in time. @default true */
  reject?: boolean;
  skipConnectionFailedLogging?: boolean;
  skipDisconnectFailedLogging?: boolean;
}

/** golevelup's module options (`RabbitMQModule.forRoot`). See the README's Migrating section for how each maps. */
export interface RabbitMQConfig {
  /** Not supported yet (one connection per application module): a warning is logged unless 'default'. */
  name?: string;
  uri: RabbitMQUriConfig | RabbitMQUriConfig[];
  prefetchCount?: number;
  exchanges?: RabbitMQExchangeConfig[];
  exchangeBindings?: RabbitMQExchangeBindingConfig[];
  queues?: RabbitMQQueueConfig[];
  defaultRpcTimeout?: number;
  defaultExchangeType?: string;
  defaultRpcErrorHandler?: MessageErrorHandler;
  defaultSubscribeErrorBehavior?: MessageHandlerErrorBehavior;
  connectionInitOptions?: ConnectionInitOptions;
  /** amqp-connection-manager options (heartbeat, reconnect delay, connection options). */
  connectionManagerOptions?: Record<string, unknown>;
  registerHandlers?: boolean;
  enableDirectReplyTo?: boolean;
  /** Warren always discovers handlers on controllers too. */
  enableControllerDiscovery?: boolean;
  channels?: RabbitMQChannels;
  handlers?: RabbitMQHandlers;
  defaultHandler?: string;
  logger?: LoggerService;
  serializer?: MessageSerializer;
  deserializer?: MessageDeserializer;
  defaultPublishOptions?: Options.Publish;
}

/** A handler's options with its kind, as golevelup's discovery reports them. */
export type RabbitHandlerConfig = MessageHandlerOptions & { type: RabbitHandlerType };

/** Where a message goes: exchange and routing key. */
export interface MessageOptions {
  exchange: string;
  routingKey: string;
}

/** golevelup's `AmqpConnection.request` options. */
export interface AmqpRequestOptions {
  exchange: string;
  routingKey: string;
  correlationId?: string;
  /** Milliseconds. @default the module's `defaultRpcTimeout` */
  timeout?: number;
  payload?: unknown;
  headers?: Record<string, unknown>;
  expiration?: string | number;
  publishOptions?: Omit<Options.Publish, 'replyTo' | 'correlationId' | 'headers' | 'expiration'>;
}

/** A consumer tag (stable across pauses and reconnects in Warren). */
export type ConsumerTag = string;
/** What `createSubscriber` / `createRpc` resolve with. */
export interface SubscriptionResult {
  consumerTag: ConsumerTag;
}
/** What a subscriber handler may return: nothing (ack) or a `Nack`. */
export type SubscribeResponse = Nack | undefined | void;
/** What an RPC handler may return: the reply, or a `Nack`. */
export type RpcResponse<T> = T | Nack;
/** A run-time subscriber function (`createSubscriber`): the payload, the raw message, its headers. */
export type SubscriberHandler<T = unknown> = (msg: T | undefined, rawMessage?: ConsumeMessage, headers?: Record<string, unknown>) => Promise<SubscribeResponse> | SubscribeResponse;
/** A run-time RPC function (`createRpc`): returns the reply. */
export type RpcSubscriberHandler<T = unknown, U = unknown> = (msg: T | undefined, rawMessage?: ConsumeMessage, headers?: Record<string, unknown>) => Promise<RpcResponse<U>> | RpcResponse<U>;

/** A run-time batch subscriber function: arrays of payloads, raw messages and headers. */
export type BatchSubscriberHandler<T = unknown> = (
  msg: Array<T | undefined>,
  rawMessage?: ConsumeMessage[],
  headers?: Array<Record<string, unknown> | undefined>,
) => Promise<SubscribeResponse> | SubscribeResponse;
/** amqplib's consume options. */
export type ConsumeOptions = Options.Consume;
/** golevelup's name for `AmqpConnection.request`'s options. */
export type RequestOptions = AmqpRequestOptions;

/** A reply as golevelup's reply consumer passed it on (Warren's RPC client does not expose these). */
export interface CorrelationMessage {
  correlationId: string;
  requestId?: string;
  message: Record<string, unknown>;
}

/** A consumer as golevelup's AmqpConnection kept it (Warren keeps its consumers in `WarrenConsumers`). */
export type BaseConsumerHandler = { consumerTag: string; channel: ConfirmChannel; msgOptions: MessageHandlerOptions };
/** One of golevelup's consumer records: a subscriber, a batch subscriber or an RPC handler. */
export type ConsumerHandler<T, U> =
  | (BaseConsumerHandler & { type: 'subscribe'; handler: SubscriberHandler<T> })
  | (BaseConsumerHandler & { type: 'subscribe-batch'; handler: BatchSubscriberHandler<T> })
  | (BaseConsumerHandler & { type: 'rpc'; handler: RpcSubscriberHandler<T, U> });

/** An error handler for one message or a batch (golevelup's ready-made handlers take both). */
export type LegacyMessageErrorHandler = (channel: Channel, message: ConsumeMessage | ConsumeMessage[], error: any) => Promise<void> | void;
