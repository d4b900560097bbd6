import type { PublishOptions, WarrenModuleOptions } from '../interfaces';
import type { RabbitMQConfig } from './rabbitmq-config.interface';
import { golevelupStyleLogger } from './golevelup-logger';
import { toUris } from './uri-config';

/** Warren's options for a golevelup configuration, and what of it Warren does not honour (and why). */
export interface TranslatedConfig {
  options: WarrenModuleOptions;
  unsupported: Array<{ option: string; instead: string }>;
}

/**
 * Maps golevelup's `RabbitMQConfig` onto Warren's options. What has a Warren equivalent is carried
 * over; exchange bindings and module-level queues are declared through the connection layer;
 * anything Warren does not do is listed so that start-up can warn about it by name.
 * The user's object is read, never modified.
 */
export function translateConfig(config: RabbitMQConfig): TranslatedConfig {
  const unsupported: TranslatedConfig['unsupported'] = [];
  const init = config.connectionInitOptions ?? {};
  const manager = (config.connectionManagerOptions ?? {}) as { heartbeatIntervalInSeconds?: number; reconnectTimeInSeconds?: number };
  if (init.wait === false) unsupported.push({ option: 'connectionInitOptions.wait', instead: 'the application waits for the broker at start-up' });
  if (init.reject === false) unsupported.push({ option: 'connectionInitOptions.reject', instead: 'an unreachable broker fails the start-up' });
  if (config.enableDirectReplyTo === false) {
    unsupported.push({ option: 'enableDirectReplyTo', instead: 'RPC always uses direct reply-to and RPC handlers are registered' });
  }
  if (config.defaultHandler) unsupported.push({ option: 'defaultHandler', instead: 'handlers without a name take only their decorator options' });

  const options: WarrenModuleOptions = {
    name: config.name,
    uri: toUris(config.uri),
    prefetch: config.prefetchCount,
    exchanges: (config.exchanges ?? []).map((exchange) => ({
      name: exchange.name,
      type: exchange.type ?? config.defaultExchangeType ?? 'topic',
      options: exchange.options,
      createExchangeIfNotExists: exchange.createExchangeIfNotExists,
    })),
    rpc: { timeoutMs: config.defaultRpcTimeout },
    connection: {
      connectTimeoutMs: init.timeout,
      heartbeatSeconds: manager.heartbeatIntervalInSeconds,
      reconnectDelayMs: manager.reconnectTimeInSeconds === undefined ? undefined : manager.reconnectTimeInSeconds * 1000,
    },
    logger: config.logger && golevelupStyleLogger(config.logger),
    registerHandlers: config.registerHandlers,
    handlers: config.handlers,
    channels: config.channels,
    defaultSubscribeErrorBehavior: config.defaultSubscribeErrorBehavior,
    defaultRpcErrorHandler: config.defaultRpcErrorHandler,
    serializer: config.serializer,
    deserializer: config.deserializer,
    // Handlers read and answer as golevelup's, so golevelup services on the same broker interoperate.
    handlerFormat: 'golevelup',
    defaultPublishOptions: config.defaultPublishOptions as PublishOptions | undefined,
    golevelup: {
      exchangeBindings: config.exchangeBindings,
      queues: config.queues,
      connectionManagerOptions: config.connectionManagerOptions,
    },
  };
  return { options: withoutUndefined(options), unsupported };
}

/** Leaves out what the user did not set, so that Warren's defaults apply to it. */
function withoutUndefined<T extends object>(value: T): T {
  const entries = Object.entries(value)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => [k, v && typeof v === 'object' && !Array.isArray(v) && Object.getPrototypeOf(v) === Object.prototype ? withoutUndefined(v) : v]);
  return Object.fromEntries(entries) as T;
}
