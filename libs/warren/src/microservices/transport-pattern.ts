import { createHash } from 'crypto';
import type { HandlerFlowOptions, WarrenModuleOptions } from '../interfaces';
import { DEFAULT_TRANSPORT_EXCHANGE, WarrenTransportOptions } from './warren-transport-options.interface';

/**
 * A Nest pattern as a routing key: strings as they are, objects as JSON with sorted keys (what
 * Nest's own `normalizePattern` gives, so `{ cmd: 'sum' }` and `{cmd:'sum'}` meet).
 */
export function routingKeyOf(normalizedPattern: string): string {
  return normalizedPattern;
}

/** The default queue of a service: the same for every replica (same patterns), different per service. */
export function defaultServiceQueue(exchange: string, patterns: string[]): string {
  const digest = createHash('sha256').update([...patterns].sort().join('\n')).digest('hex').slice(0, 12);
  return `${exchange}.service.${digest}`;
}

/** Warren's module options for a transport: the exchange declared as a topic exchange. */
export function transportModuleOptions(options: WarrenTransportOptions): { exchange: string; module: WarrenModuleOptions } {
  const { exchange = DEFAULT_TRANSPORT_EXCHANGE, queue: _queue, timeoutMs, handlerOptions: _handlerOptions, ...module } = options;
  const exchanges = [...(module.exchanges ?? [])];
  if (!exchanges.some((e) => e.name === exchange)) exchanges.push({ name: exchange, type: 'topic' });
  return { exchange, module: { ...module, exchanges, rpc: { ...module.rpc, timeoutMs: timeoutMs ?? module.rpc?.timeoutMs } } };
}

const FLOW_OPTIONS: ReadonlyArray<keyof HandlerFlowOptions> = ['concurrency', 'timeoutMs', 'circuitBreaker', 'accept', 'ack'];

/**
 * A pattern's flow control options: the server's `handlerOptions`, under those of the pattern's
 * own extras (`@EventPattern('p', { concurrency: 2 })`); other extras are not Warren's and are left out.
 */
export function flowOptions(server: HandlerFlowOptions | undefined, extras: Record<string, unknown> | undefined): HandlerFlowOptions {
  const own = Object.fromEntries(FLOW_OPTIONS.filter((key) => extras?.[key] !== undefined).map((key) => [key, extras![key]]));
  return { ...server, ...own };
}
