import type { Channel, ChannelModel, ConfirmChannel, ConsumeMessage, Options } from 'amqplib';
import type { AmqpConnectionManager as ManagedConnection } from 'amqp-connection-manager';
import { BrokerConnection } from '../connection/broker-connection';
import { WarrenConsumers } from '../consumer/warren-consumers';
import type { MessageHandlerOptions, PublishOptions } from '../interfaces';
import { MessageProducer } from '../producer/message-producer';
import { RpcClient } from '../rpc/rpc-client';
import { DEFAULT_CONNECTION_NAME } from '../warren.tokens';
import { WarrenConfigurationError } from '../errors/configuration.error';
import { ConnectionNotAvailableError } from '../errors/connection.error';
import { EncodedMessage } from '../codec/message-codec';
import { encodeGolevelup } from '../codec/golevelup-format';
import { Warren, createWarren } from '../warren.standalone';
import { translateConfig } from './config-translation';
import type {
  AmqpRequestOptions,
  BatchSubscriberHandler,
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
 * connection, publishes on its publishing connection. Messages and requests are encoded as
 * golevelup encodes them (JSON for everything but Buffers, strings too, no content type), so
 * golevelup services read them as they read each other's.
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

  /**
   * An amqplib channel for declaring and inspecting topology; Warren's consumers use channels of
   * their own. An operation the broker refuses (a 404, a 406) rejects that call; the channel is
   * re-opened at once (`ChannelNotAvailableError` meanwhile, or while disconnected).
   */
  get channel(): Channel {
    return this.broker.topologyChannel;
  }

  get channels(): Record<string, ConfirmChannel> {
    return { [this.name]: this.broker.topologyChannel };
  }

  /** The current amqplib connection; `ConnectionNotAvailableError` while there is none (as golevelup). */
  get connection(): ChannelModel {
    const connection = this.broker.currentConnection;
    if (!connection) throw new ConnectionNotAvailableError();
    return connection;
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

  /**
   * Publishes `message` encoded as golevelup does; resolves `true` once the broker confirmed it,
   * rejects with Warren's typed errors.
   */
  async publish(exchange: string, routingKey: string, message: unknown, options?: Options.Publish): Promise<boolean> {
    const body = encodeGolevelup(message, 'message', this.configuration.serializer);
    await this.producer.publish(exchange, routingKey, new EncodedMessage(body.content), toPublishOptions(options));
    return true;
  }

  /**
   * Calls an RPC handler (golevelup's or Warren's) with `payload` encoded as golevelup does (a
   * missing or falsy payload is sent as `{}`, as golevelup sends it). Warren chooses the
   * correlation id (random) and the expiration (what is left of the timeout) itself.
   */
  async request<T>(options: AmqpRequestOptions): Promise<T> {
    const payload = encodeGolevelup(options.payload || {}, 'payload', this.configuration.serializer);
    const { persistent, priority, messageId, type, appId, userId, contentType, contentEncoding } = toPublishOptions(options.publishOptions) ?? {};
    return this.rpc.request<T>(options.exchange, options.routingKey, new EncodedMessage(payload.content), {
      ...withoutUndefined({ persistent, priority, messageId, type, appId, userId, contentType, contentEncoding }),
      timeoutMs: options.timeout || undefined,
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

  /** A run-time batch subscriber (golevelup's defaults: batches of 10, 200 ms). */
  async createBatchSubscriber<T>(handler: BatchSubscriberHandler<T>, options: MessageHandlerOptions, consumeOptions?: Options.Consume): Promise<SubscriptionResult> {
    const batchOptions = { size: 10, timeout: 200, ...options.batchOptions };
    const state = await this.consumers.add(
      { ...withConsumeOptions({ ...options, batchOptions }, consumeOptions), type: 'subscribe' },
      (payloads, messages, headers) => handler(payloads as Array<T | undefined>, messages as unknown as ConsumeMessage[], headers as unknown as Array<Record<string, unknown>>),
      'createBatchSubscriber',
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

function withoutUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
