import type { LoggerService } from '@nestjs/common';
import type { ValidatorOptions } from 'class-validator';
import { WarrenConfigurationError } from './errors/configuration.error';
import { MESSAGES } from './warren.messages';
import { ResolvedTopology, resolveTopology } from './topology/topology-config';
import { MAX_TIMEOUT_MS } from './outgoing/amqp-values';
import { checkPlaintextFallback } from './connection/transport-security';
import type { Redactor } from './logging/redact';
import { isContract, type EventContract, type RpcContract } from './contracts/contracts';
import type { BrokerConnector } from './connection/broker-link';
import type { ReconnectSettings } from './connection/reconnect-policy';
import type {
  MessageDeserializer,
  MessageErrorHandler,
  MessageHandlerOptions,
  MessageSerializer,
  QueueType,
  PublishOptions,
  RetryOptions,
  WarrenChannelOptions,
  WarrenExchangeOptions,
  WarrenModuleOptions,
  WarrenPassThroughOptions,
  WarrenReconnectOptions,
  WarrenTlsOptions,
  WarrenValidationOptions,
} from './interfaces';
import {
  DEFAULT_CONNECT_TIMEOUT_MS,
  DEFAULT_DRAIN_TIMEOUT_MS,
  DEFAULT_HEARTBEAT_SECONDS,
  DEFAULT_MAX_BUFFERED_MESSAGES,
  DEFAULT_MAX_BUFFERED_BYTES,
  DEFAULT_MAX_MESSAGE_BYTES,
  DEFAULT_MAX_IN_FLIGHT_BYTES,
  DEFAULT_PREFETCH,
  DEFAULT_RPC_PREFETCH,
  DEFAULT_DELIVERY_LIMIT,
  DEFAULT_MAX_CONSUMER_CHANNELS,
  DEFAULT_PUBLISH_TIMEOUT_MS,
  DEFAULT_RECONNECT_DELAY_MS,
  DEFAULT_MAX_RECONNECT_DELAY_MS,
  DEFAULT_RPC_TIMEOUT_MS,
  DEFAULT_URI,
} from './warren.constants';

/** Options with every default filled in. Built once from the user's options, which are never mutated. */
export interface ResolvedWarrenOptions {
  /** This connection's name ('default' unless several are configured). */
  name: string;
  uris: string[];
  exchanges: WarrenExchangeOptions[];
  prefetch: number;
  /** Type of named handler queues, and the delivery limit of quorum ones. */
  queues: { type: QueueType; deliveryLimit: number };
  /** Prefetch of queues that serve only RPC handlers. */
  rpcPrefetch: number;
  rpcTimeoutMs: number;
  /** Reply queues RPC handlers answer besides direct reply-to and server-named ones (`rpc.allowedReplyTo`). */
  rpcAllowedReplyTo: Array<string | RegExp>;
  publishTimeoutMs: number;
  mandatory: boolean;
  maxBufferedMessages: number;
  maxBufferedBytes: number;
  maxMessageBytes: number;
  consumer: { maxInFlightBytes: number };
  drainTimeoutMs: number;
  connection: {
    connectTimeoutMs: number;
    heartbeatSeconds: number;
    reconnectDelayMs: number;
    /** `connection.reconnect`, resolved (see reconnect-policy.ts). */
    reconnect: ReconnectSettings;
    noDelay: boolean;
    coalesceWrites: boolean;
    maxConsumerChannels: number;
    name: string;
    tls: WarrenTlsOptions;
    allowPlaintextFallback: boolean;
  };
  validation: ValidatorOptions | false;
  /** Senders check payloads against contract schemas (`validation.onPublish`). */
  validateOnPublish: boolean;
  retry: RetryOptions | false | undefined;
  logger: LoggerService | false | undefined;
  /** The application's redaction hook, registered while this Warren runs. */
  redact?: Redactor;
  golevelup: WarrenPassThroughOptions;
  /** How the connection is established (undefined: amqp-connection-manager, directly). */
  connector?: BrokerConnector;
  /** How handlers are registered and what their failures and bodies get (golevelup's options). */
  handling: {
    /** How bodies without a content type are read and RPC results encoded (`handlerFormat`). */
    format: 'warren' | 'golevelup';
    registerHandlers: boolean;
    handlers: Record<string, MessageHandlerOptions[]>;
    channels: Record<string, WarrenChannelOptions>;
    defaultSubscribeErrorBehavior?: 'ACK' | 'NACK' | 'REQUEUE';
    defaultRpcErrorHandler?: MessageErrorHandler;
    deserializer?: MessageDeserializer;
  };
  serializer?: MessageSerializer;
  defaultPublishOptions: PublishOptions;
  topology: ResolvedTopology;
  /** Contracts the application sends (`contracts`), for its AsyncAPI document. */
  contracts: Array<RpcContract<unknown, unknown> | EventContract<unknown>>;
}

export function resolveOptions(options: WarrenModuleOptions = {}, env: NodeJS.ProcessEnv = process.env): ResolvedWarrenOptions {
  const uri = options.uri ?? env.RABBITMQ_URL ?? DEFAULT_URI;
  const resolved: ResolvedWarrenOptions = {
    name: options.name ?? 'default',
    uris: Array.isArray(uri) ? [...uri] : [uri],
    exchanges: (options.exchanges ?? []).map((exchange) => ({ ...exchange })),
    prefetch: options.prefetch ?? DEFAULT_PREFETCH,
    queues: { type: options.queueType ?? 'classic', deliveryLimit: options.deliveryLimit ?? DEFAULT_DELIVERY_LIMIT },
    rpcPrefetch: options.rpc?.prefetch ?? options.prefetch ?? DEFAULT_RPC_PREFETCH,
    rpcTimeoutMs: options.rpc?.timeoutMs ?? DEFAULT_RPC_TIMEOUT_MS,
    rpcAllowedReplyTo: checkAllowedReplyTo(options.rpc?.allowedReplyTo),
    publishTimeoutMs: options.publish?.timeoutMs ?? DEFAULT_PUBLISH_TIMEOUT_MS,
    mandatory: options.publish?.mandatory ?? true,
    maxBufferedMessages: options.publish?.maxBufferedMessages ?? DEFAULT_MAX_BUFFERED_MESSAGES,
    maxBufferedBytes: options.publish?.maxBufferedBytes ?? DEFAULT_MAX_BUFFERED_BYTES,
    maxMessageBytes: options.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES,
    consumer: { maxInFlightBytes: options.consumer?.maxInFlightBytes ?? DEFAULT_MAX_IN_FLIGHT_BYTES },
    drainTimeoutMs: options.shutdown?.drainTimeoutMs ?? DEFAULT_DRAIN_TIMEOUT_MS,
    connection: {
      connectTimeoutMs: options.connection?.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
      heartbeatSeconds: options.connection?.heartbeatSeconds ?? DEFAULT_HEARTBEAT_SECONDS,
      reconnectDelayMs: options.connection?.reconnectDelayMs ?? DEFAULT_RECONNECT_DELAY_MS,
      reconnect: resolveReconnect(options.connection?.reconnect, options.connection?.reconnectDelayMs ?? DEFAULT_RECONNECT_DELAY_MS),
      noDelay: options.connection?.noDelay ?? true,
      coalesceWrites: options.connection?.coalesceWrites ?? true,
      maxConsumerChannels: options.connection?.maxConsumerChannels ?? DEFAULT_MAX_CONSUMER_CHANNELS,
      name: options.connection?.name ?? 'warren',
      tls: { ...options.connection?.tls },
      allowPlaintextFallback: options.connection?.allowPlaintextFallback ?? false,
    },
    // class-validator's own default: a payload (or nested value) of no known class fails validation.
    validation: options.validation === false ? false : classValidatorOptions(options.validation),
    validateOnPublish: options.validation !== false && checkBoolean('validation.onPublish', options.validation?.onPublish ?? true),
    logger: options.logger,
    redact: options.redact,
    retry: options.retry === false ? false : options.retry && { ...options.retry },
    golevelup: { ...options.golevelup },
    connector: options.connector,
    handling: {
      format: options.handlerFormat ?? 'warren',
      registerHandlers: options.registerHandlers ?? true,
      handlers: Object.fromEntries(Object.entries(options.handlers ?? {}).map(([name, config]) => [name, [config].flat()])),
      channels: { ...options.channels },
      defaultSubscribeErrorBehavior: options.defaultSubscribeErrorBehavior,
      defaultRpcErrorHandler: options.defaultRpcErrorHandler,
      deserializer: options.deserializer,
    },
    serializer: options.serializer,
    defaultPublishOptions: { ...options.defaultPublishOptions },
    topology: resolveTopology(options, env),
    contracts: checkContracts(options.contracts),
  };
  checkPositive('prefetch', resolved.prefetch, true);
  if (resolved.queues.type !== 'classic' && resolved.queues.type !== 'quorum') {
    throw new WarrenConfigurationError(`Option queueType must be 'classic' or 'quorum'; got '${String(resolved.queues.type)}'`);
  }
  checkPositive('deliveryLimit', resolved.queues.deliveryLimit, true);
  checkPositive('connection.maxConsumerChannels', resolved.connection.maxConsumerChannels, true);
  checkPositive('rpc.prefetch', resolved.rpcPrefetch, true);
  checkPositive('rpc.timeoutMs', resolved.rpcTimeoutMs);
  checkTimeoutLimit('rpc.timeoutMs', resolved.rpcTimeoutMs);
  checkPositive('publish.timeoutMs', resolved.publishTimeoutMs);
  checkTimeoutLimit('publish.timeoutMs', resolved.publishTimeoutMs);
  checkPositive('publish.maxBufferedMessages', resolved.maxBufferedMessages, true);
  checkPositive('publish.maxBufferedBytes', resolved.maxBufferedBytes, true);
  checkPositive('maxMessageBytes', resolved.maxMessageBytes, true);
  checkPositive('consumer.maxInFlightBytes', resolved.consumer.maxInFlightBytes, true);
  checkPositive('shutdown.drainTimeoutMs', resolved.drainTimeoutMs, false, true);
  checkTimeoutLimit('shutdown.drainTimeoutMs', resolved.drainTimeoutMs);
  checkPositive('connection.connectTimeoutMs', resolved.connection.connectTimeoutMs);
  checkTimeoutLimit('connection.connectTimeoutMs', resolved.connection.connectTimeoutMs);
  checkPositive('connection.heartbeatSeconds', resolved.connection.heartbeatSeconds, true, true);
  checkPositive('connection.reconnectDelayMs', resolved.connection.reconnectDelayMs);
  checkTimeoutLimit('connection.reconnectDelayMs', resolved.connection.reconnectDelayMs);
  checkReconnect(resolved.connection.reconnect);
  if (resolved.retry) {
    const { attempts, initialDelayMs, multiplier, maxDelayMs } = resolved.retry;
    if (attempts !== undefined) checkPositive('retry.attempts', attempts, true);
    if (initialDelayMs !== undefined) checkPositive('retry.initialDelayMs', initialDelayMs, true);
    if (maxDelayMs !== undefined) checkPositive('retry.maxDelayMs', maxDelayMs, true);
    if (multiplier !== undefined && !(multiplier >= 1)) throw new WarrenConfigurationError(`Option retry.multiplier must be >= 1; got ${multiplier}`);
  }
  if (resolved.handling.format !== 'warren' && resolved.handling.format !== 'golevelup') {
    throw new WarrenConfigurationError(`Option handlerFormat must be 'warren' or 'golevelup'; got '${String(resolved.handling.format)}'`);
  }
  if (resolved.connector !== undefined && typeof resolved.connector !== 'function') {
    throw new WarrenConfigurationError(`Option connector must be a function (a BrokerConnector); got ${typeof resolved.connector}`);
  }
  if (resolved.redact !== undefined && typeof resolved.redact !== 'function') {
    throw new WarrenConfigurationError(`Option redact must be a function (text: string) => string; got ${typeof resolved.redact}`);
  }
  checkPlaintextFallback(resolved.uris, resolved.connection.allowPlaintextFallback);
  for (const exchange of resolved.exchanges) {
    if (!exchange.name) throw new WarrenConfigurationError('Every entry of exchanges needs a name');
  }
  return resolved;
}

/** A copy of `rpc.allowedReplyTo`: queue names (AMQP short strings) and RegExps without state. */
function checkAllowedReplyTo(value: unknown): Array<string | RegExp> {
  if (value === undefined) return [];
  const fail = (detail: string) => new WarrenConfigurationError(`Option rpc.allowedReplyTo must be an array of queue names and RegExps; ${detail}`);
  if (!Array.isArray(value)) throw fail(`got ${typeof value}`);
  return value.map((entry: unknown, index) => {
    if (entry instanceof RegExp) {
      // RegExp#test with these flags depends on the previous call: a reply queue would be answered every other time.
      if (entry.global || entry.sticky) throw fail(`entry ${index} (${String(entry)}) must not have the g or y flag`);
      return new RegExp(entry.source, entry.flags);
    }
    if (typeof entry !== 'string' || entry === '' || Buffer.byteLength(entry) > 255) {
      throw fail(`entry ${index} is ${typeof entry === 'string' ? `'${entry.slice(0, 40)}', not a queue name` : typeof entry}`);
    }
    return entry;
  });
}

/** A copy of `contracts`: each entry made by `defineRpc` / `defineEvent`. */
function checkContracts(value: unknown): ResolvedWarrenOptions['contracts'] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw new WarrenConfigurationError(`Option contracts must be an array of contracts (defineRpc / defineEvent); got ${typeof value}`);
  const bad = value.findIndex((entry) => !isContract(entry));
  if (bad >= 0) throw new WarrenConfigurationError(`Option contracts: entry ${bad} is not a contract made by defineRpc or defineEvent`);
  return [...value];
}

function checkPositive(name: string, value: number, integer = false, zeroAllowed = false): void {
  const ok = Number.isFinite(value) && (zeroAllowed ? value >= 0 : value > 0) && (!integer || Number.isInteger(value));
  if (!ok) {
    throw new WarrenConfigurationError(
      `Option ${name} must be a ${integer ? 'whole' : ''} number ${zeroAllowed ? '>= 0' : '> 0'}; got ${String(value)}`,
    );
  }
}

/** `connection.reconnect`, defaulted; checked by checkReconnect once reconnectDelayMs is. */
function resolveReconnect(reconnect: WarrenReconnectOptions | undefined, delayMs: number): ReconnectSettings {
  if (reconnect === undefined) return { delayMs, backoff: false, maxDelayMs: delayMs };
  if (typeof reconnect !== 'object' || reconnect === null) throw new WarrenConfigurationError(MESSAGES.reconnectNotAnObject(reconnect));
  return { delayMs, backoff: true, maxAttempts: reconnect.maxAttempts, maxDelayMs: reconnect.maxDelayMs ?? Math.max(DEFAULT_MAX_RECONNECT_DELAY_MS, delayMs) };
}

function checkReconnect(reconnect: ReconnectSettings): void {
  if (!reconnect.backoff) return;
  if (reconnect.maxAttempts !== undefined) checkPositive('connection.reconnect.maxAttempts', reconnect.maxAttempts, true);
  checkPositive('connection.reconnect.maxDelayMs', reconnect.maxDelayMs, true);
  checkTimeoutLimit('connection.reconnect.maxDelayMs', reconnect.maxDelayMs);
  if (reconnect.maxDelayMs < reconnect.delayMs) throw new WarrenConfigurationError(MESSAGES.reconnectMaxDelayTooShort(reconnect.maxDelayMs, reconnect.delayMs));
}

/** Node fires longer timers at once; a timeout past it would be no timeout at all. */
function checkTimeoutLimit(name: string, value: number): void {
  if (value > MAX_TIMEOUT_MS) throw new WarrenConfigurationError(`Option ${name} must be at most ${MAX_TIMEOUT_MS} ms; got ${value}`);
}

/** class-validator's options: the module's `validation` without Warren's own `onPublish`. */
function classValidatorOptions(validation: WarrenValidationOptions | undefined): ValidatorOptions {
  // eslint-disable-next-line @typescript-eslint/no-unused-vars
  const { onPublish, ...options } = validation ?? {};
  return { forbidUnknownValues: true, ...options };
}

function checkBoolean(name: string, value: unknown): boolean {
  if (typeof value !== 'boolean') throw new WarrenConfigurationError(MESSAGES.notABoolean(name, value));
  return value;
}
