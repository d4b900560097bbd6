import { WarrenConfigurationError } from '../errors/configuration.error';
import type { WarrenLogger } from '../logging/warren-logger';
import { MESSAGES } from '../warren.messages';
import type { HandlerDefinition } from './handler-definition';

export interface QueueGroup {
  /** Undefined for a server-named queue (one per handler). */
  queue?: string;
  handlers: HandlerDefinition[];
}

const IGNORED_OPTIONS: Array<[keyof HandlerDefinition['options'], string]> = [
  ['assertQueueErrorHandler', 'a queue declared with other arguments fails the start-up with the broker\'s reason'],
];

/**
 * Handlers that name the same queue share one consumer, which routes each message by its
 * routing key, so two handlers on one queue never steal each other's messages.
 */
export function groupByQueue(handlers: HandlerDefinition[], logger: WarrenLogger): QueueGroup[] {
  const named = new Map<string, QueueGroup>();
  const groups: QueueGroup[] = [];
  for (const handler of handlers) {
    const { exchange, queue, bindings } = handler.options;
    if (!exchange && !queue && !(bindings && bindings.length > 0)) {
      throw new WarrenConfigurationError(MESSAGES.subscribeRequiresTarget(handler.name));
    }
    for (const [option, instead] of IGNORED_OPTIONS) {
      if (handler.options[option] !== undefined) logger.warn(MESSAGES.ignoredOption(handler.name, option, instead));
    }
    if (handler.options.type === 'rpc' && handler.options.batchOptions) {
      logger.warn(MESSAGES.ignoredOption(handler.name, 'batchOptions', 'RPC requests are handled one at a time'));
    }
    if (!queue) {
      groups.push({ handlers: [handler] });
      continue;
    }
    const group = named.get(queue);
    if (group) group.handlers.push(handler);
    else {
      const created = { queue, handlers: [handler] };
      named.set(queue, created);
      groups.push(created);
    }
  }
  for (const group of named.values()) {
    const keyless = group.handlers.filter((h) => [h.options.routingKey ?? []].flat().length === 0 && !h.options.bindings?.length);
    if (group.handlers.length > 1 && keyless.length > 0) {
      logger.warn(MESSAGES.sharedQueueWithoutKeys(group.queue!, keyless.map((h) => h.name).join(', ')));
    }
  }
  return groups;
}

/** How a handler shows in the start-up log: `exchange/key1,key2 -> queue`. */
export function describeHandlerTarget(handler: HandlerDefinition): string {
  const { exchange, routingKey, queue, bindings } = handler.options;
  const keys = routingKey === undefined ? '' : [routingKey].flat().join(',');
  const parts = exchange ? [`${exchange}/${keys}`] : [];
  for (const binding of bindings ?? []) parts.push(`${binding.exchange}/${binding.routingKey}`);
  return `${parts.join(' + ') || '(default exchange)'} -> ${queue ?? '(server-named queue)'}`;
}
