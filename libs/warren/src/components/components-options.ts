import { WarrenConfigurationError } from '../errors/configuration.error';
import { MAX_TIMEOUT_MS } from '../outgoing/amqp-values';
import { MESSAGES } from '../warren.messages';
import type { ComponentsModuleOptions, ResolvedComponentsOptions } from './components-options.interface';
import {
  DEFAULT_HEARTBEAT_MS,
  DEFAULT_MAX_INSTANCES,
  DEFAULT_MAX_INSTANCES_PER_COMPONENT,
  DEFAULT_MAX_REGISTRY_BYTES,
  DEFAULT_MAX_REGISTRY_MESSAGE_BYTES,
  DEFAULT_MISSED_HEARTBEATS,
  REGISTRY_EXCHANGE,
} from './components.constants';

/** `ComponentsModule.forRoot`'s options with every default filled in; throws `WarrenConfigurationError` on a wrong one. */
export function resolveComponentsOptions(options: ComponentsModuleOptions = {}): ResolvedComponentsOptions {
  const registry = options.registry ?? {};
  const resolved: ResolvedComponentsOptions = {
    heartbeatMs: options.heartbeatMs ?? DEFAULT_HEARTBEAT_MS,
    missedHeartbeats: options.missedHeartbeats ?? DEFAULT_MISSED_HEARTBEATS,
    registryExchange: options.registryExchange ?? REGISTRY_EXCHANGE,
    userId: options.userId,
    registry: {
      maxInstances: registry.maxInstances ?? DEFAULT_MAX_INSTANCES,
      maxInstancesPerComponent: registry.maxInstancesPerComponent ?? DEFAULT_MAX_INSTANCES_PER_COMPONENT,
      maxMessageBytes: registry.maxMessageBytes ?? DEFAULT_MAX_REGISTRY_MESSAGE_BYTES,
      maxTotalBytes: registry.maxTotalBytes ?? DEFAULT_MAX_REGISTRY_BYTES,
      allowUnverified: registry.allowUnverified ?? false,
      trust: registry.trust,
    },
  };
  wholeNumber('heartbeatMs', resolved.heartbeatMs, 1, MAX_TIMEOUT_MS);
  wholeNumber('missedHeartbeats', resolved.missedHeartbeats, 1, Math.floor(MAX_TIMEOUT_MS / resolved.heartbeatMs));
  wholeNumber('registry.maxInstances', resolved.registry.maxInstances, 1, Number.MAX_SAFE_INTEGER);
  wholeNumber('registry.maxInstancesPerComponent', resolved.registry.maxInstancesPerComponent, 1, Number.MAX_SAFE_INTEGER);
  wholeNumber('registry.maxMessageBytes', resolved.registry.maxMessageBytes, 1_024, 2 ** 27);
  wholeNumber('registry.maxTotalBytes', resolved.registry.maxTotalBytes, resolved.registry.maxMessageBytes, Number.MAX_SAFE_INTEGER);
  const exchange = resolved.registryExchange;
  if (typeof exchange !== 'string' || exchange.length === 0 || Buffer.byteLength(exchange) > 255) {
    throw invalid('registryExchange', 'an exchange name of 1 to 255 bytes', exchange);
  }
  const userId = resolved.userId;
  if (userId !== undefined && userId !== false && (typeof userId !== 'string' || userId.length === 0 || Buffer.byteLength(userId) > 255)) {
    throw invalid('userId', 'a broker user name of 1 to 255 bytes, or false', userId);
  }
  if (typeof resolved.registry.allowUnverified !== 'boolean') throw invalid('registry.allowUnverified', 'true or false', resolved.registry.allowUnverified);
  if (resolved.registry.trust !== undefined && typeof resolved.registry.trust !== 'function') {
    throw invalid('registry.trust', 'a function (component, userId) => boolean', resolved.registry.trust);
  }
  return resolved;
}

function wholeNumber(option: string, value: unknown, min: number, max: number): void {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw invalid(option, `a whole number from ${min} to ${max}`, value);
  }
}

function invalid(option: string, expected: string, got: unknown): WarrenConfigurationError {
  const shown = typeof got === 'string' ? `'${got.slice(0, 100)}'` : typeof got === 'function' ? 'a function' : String(got);
  return new WarrenConfigurationError(MESSAGES.invalidComponentsOption(option, expected, shown));
}
