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

export interface RabbitMQExchangeConfig {
  name: string;
  /** @default the module's `defaultExchangeType`, else 'topic' */
  type?: string;
  /** `false` checks that the exchange exists instead of declaring it. @default true */
  createExchangeIfNotExists?: boolean;
  options?: Options.AssertExchange;
}

export type RabbitMQQueueConfig = PassThroughQueue;
export type RabbitMQExchangeBindingConfig = PassThroughExchangeBinding;

export interface RabbitMQChannelConfig {
  prefetchCount?: number;
  default?: boolean;
}
export type RabbitMQChannels = Record<string, RabbitMQChannelConfig>;
export type RabbitMQHandlers = Record<string, MessageHandlerOptions | MessageHandlerOptions[]>;

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

export type RabbitHandlerConfig = MessageHandlerOptions & { type: RabbitHandlerType };

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

export type ConsumerTag = string;
export interface SubscriptionResult {
  consumerTag: ConsumerTag;
}
export type SubscribeResponse = Nack | undefined | void;
export type RpcResponse<T> = T | Nack;
export type SubscriberHandler<T = unknown> = (msg: T | undefined, rawMessage?: ConsumeMessage, headers?: Record<string, unknown>) => Promise<SubscribeResponse> | SubscribeResponse;
export type RpcSubscriberHandler<T = unknown, U = unknown> = (msg: T | undefined, rawMessage?: ConsumeMessage, headers?: Record<string, unknown>) => Promise<RpcResponse<U>> | RpcResponse<U>;

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
export type ConsumerHandler<T, U> =
  | (BaseConsumerHandler & { type: 'subscribe'; handler: SubscriberHandler<T> })
  | (BaseConsumerHandler & { type: 'subscribe-batch'; handler: BatchSubscriberHandler<T> })
  | (BaseConsumerHandler & { type: 'rpc'; handler: RpcSubscriberHandler<T, U> });

/** An error handler for one message or a batch (golevelup's ready-made handlers take both). */
export type LegacyMessageErrorHandler = (channel: Channel, message: ConsumeMessage | ConsumeMessage[], error: any) => Promise<void> | void;
