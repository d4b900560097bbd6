import type { Channel, ChannelModel, ConfirmChannel, Options } from 'amqplib';
import type { AmqpConnectionManager as ManagedConnection } from 'amqp-connection-manager';
import { BrokerConnection } from '../connection/broker-connection';
import { WarrenConsumers } from '../consumer/warren-consumers';
import type { MessageHandlerOptions, PublishOptions } from '../interfaces';
import { MessageProducer } from '../producer/message-producer';
import { RpcClient } from '../rpc/rpc-client';
import { DEFAULT_CONNECTION_NAME } from '../warren.tokens';
import { WarrenConfigurationError } from '../errors/configuration.error';
import { Warren, createWarren } from '../warren.standalone';
import { translateConfig } from './config-translation';
import type {
  AmqpRequestOptions,
  RabbitMQConfig,
  RpcSubscriberHandler,
  SubscriberHandler,
  SubscriptionResult,
} from './rabbitmq-config.interface';

/** What an AmqpConnection runs on. */
export interface WarrenParts {
  producer: MessageProducer;
  rpc: RpcClient;
  consumers: WarrenConsumers;
  broker: BrokerConnection;
}

/**
 * golevelup's `AmqpConnection`, backed by Warren: publishes go through Warren's confirmed,
 * mandatory `MessageProducer`, requests through `RpcClient`, run-time subscribers through
 * `WarrenConsumers` (with Warren's retry and dead-letter handling) — consumers on Warren's
 * connection, publishes on its publishing connection.
 */
export class AmqpConnection {
  private parts?: WarrenParts;
  private standalone?: Warren;

  /**
   * As golevelup allowed: `new AmqpConnection(config)` then `await init()` opens a connection of its
   * own (close it with `close()`). Inside `RabbitMQModule` the module builds it on its Warren instead.
   */
  constructor(readonly configuration: RabbitMQConfig) {}

  /** The module's connection: Warren's producer, RPC client, consumers and connection. */
  static fromWarren(parts: WarrenParts, configuration: RabbitMQConfig): AmqpConnection {
    const connection = new AmqpConnection(configuration);
    connection.parts = parts;
    return connection;
  }

  /** Connects a hand-built connection (a no-op for the module's). */
  async init(): Promise<void> {
    if (this.parts) return;
    const warren = await createWarren({ ...translateConfig(this.configuration).options, registerHandlers: false });
    this.standalone = warren;
    this.parts = { producer: warren.producer, rpc: warren.rpc, consumers: warren.consumers, broker: warren.connection };
  }

  /** Closes a hand-built connection (the module closes its own at shutdown). */
  async close(): Promise<void> {
    await this.standalone?.close();
  }

  private get warren(): WarrenParts {
    if (!this.parts) throw new WarrenConfigurationError('This AmqpConnection is not connected: call init() first, or inject the one RabbitMQModule provides');
    return this.parts;
  }

  private get producer(): MessageProducer {
    return this.warren.producer;
  }

  private get rpc(): RpcClient {
    return this.warren.rpc;
  }

  private get consumers(): WarrenConsumers {
    return this.warren.consumers;
  }

  private get broker(): BrokerConnection {
    return this.warren.broker;
  }

  /** An amqplib channel for declaring and inspecting topology; Warren's consumers use channels of their own. */
  get channel(): Channel {
    return this.broker.topologyChannel;
  }

  get channels(): Record<string, ConfirmChannel> {
    return { [this.name]: this.broker.topologyChannel };
  }

  get connection(): ChannelModel | undefined {
    return this.broker.currentConnection;
  }

  get managedConnection(): ManagedConnection {
    return this.broker.manager;
  }

  get connected(): boolean {
    return this.broker.isConnected;
  }

  get consumerTags(): string[] {
    return this.consumers.list().map((consumer) => consumer.consumerTag);
  }

  /** golevelup's connection name: `configuration.name`, else 'default'. */
  get name(): string {
    return this.configuration.name ?? DEFAULT_CONNECTION_NAME;
  }

  /** Resolves `true` once the broker confirmed the message; rejects with Warren's typed errors. */
  async publish(exchange: string, routingKey: string, message: unknown, options?: Options.Publish): Promise<boolean> {
    await this.producer.publish(exchange, routingKey, message, toPublishOptions(options));
    return true;
  }

  /**
   * golevelup's RPC call: Warren's `RpcClient.request` (direct reply-to, `timeout` in ms, `RemoteError` on a handler error).
   */
  request<T>(options: AmqpRequestOptions): Promise<T> {
    return this.rpc.request<T>(options.exchange, options.routingKey, options.payload, {
      timeoutMs: options.timeout,
      headers: options.headers,
    });
  }

  /** Starts consuming for a handler function at run time (golevelup's API over `WarrenConsumers.add`). */
  async createSubscriber<T>(handler: SubscriberHandler<T>, options: MessageHandlerOptions, originalHandlerName = 'createSubscriber', consumeOptions?: Options.Consume): Promise<SubscriptionResult> {
    const state = await this.consumers.add(
      { ...withConsumeOptions(options, consumeOptions), type: 'subscribe' },
      (payload, message, headers) => handler(payload as T, message, headers),
      originalHandlerName,
    );
    return { consumerTag: state.consumerTag };
  }

  /** Starts serving RPC requests with a handler function at run time; its return value is the reply. */
  async createRpc<T, U>(handler: RpcSubscriberHandler<T, U>, options: MessageHandlerOptions): Promise<SubscriptionResult> {
    const state = await this.consumers.add({ ...options, type: 'rpc' }, (payload, message, headers) => handler(payload as T, message, headers), 'createRpc');
    return { consumerTag: state.consumerTag };
  }

  /** Stops deliveries to this consumer (in-flight messages finish); `resumeConsumer` starts them again. */
  async cancelConsumer(consumerTag: string): Promise<void> {
    if (this.consumerTags.includes(consumerTag)) await this.consumers.pause(consumerTag);
  }

  /** Resumes a cancelled consumer under the same tag (golevelup gives a new one); `null` for an unknown tag. */
  async resumeConsumer(consumerTag: string): Promise<string | null> {
    if (!this.consumerTags.includes(consumerTag)) return null;
    await this.consumers.resume(consumerTag);
    return consumerTag;
  }
}

function withConsumeOptions(options: MessageHandlerOptions, consumeOptions: Options.Consume | undefined): MessageHandlerOptions {
  if (!consumeOptions) return options;
  const queueOptions = { ...options.queueOptions, consumerOptions: { ...options.queueOptions?.consumerOptions, ...consumeOptions } };
  return { ...options, queueOptions };
}

/** amqplib's publish options as Warren's (deliveryMode 2 is `persistent`). */
function toPublishOptions(options: Options.Publish | undefined): PublishOptions | undefined {
  if (!options) return undefined;
  const { deliveryMode, persistent, expiration, ...rest } = options;
  const durable = persistent ?? (deliveryMode === undefined ? undefined : deliveryMode === 2 || deliveryMode === true);
  const result: PublishOptions = { ...(rest as PublishOptions), expiration };
  if (durable !== undefined) result.persistent = durable;
  return result;
}
