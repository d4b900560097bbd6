import { WarrenConfigurationError } from '../errors/configuration.error';
import type { WarrenLogger } from '../logging/warren-logger';
import type { ResolvedWarrenOptions } from '../warren-options';
import { MESSAGES } from '../warren.messages';
import type { HandlerDefinition } from './handler-definition';
import { batchSettings } from './batch-runner';
import { HandlerFlow, queueAutoAck, resolveHandlerFlow } from './handler-flow';

/**
 * The module's `handlers` entries applied to the discovered handlers: a handler whose `name` has
 * an entry takes its options over the decorator's (never the reverse); an array entry registers the
 * handler once per element. The user's objects are copied, never modified.
 */
export function applyNamedHandlerOptions(handlers: HandlerDefinition[], options: ResolvedWarrenOptions): HandlerDefinition[] {
  return handlers.flatMap((handler) => {
    const name = handler.options.name;
    const entries = name === undefined ? undefined : options.handling.handlers[name];
    if (!entries || entries.length === 0) return [withTopologyQueue(withQueueConsumerTag(handler, options), options)];
    return entries.map((entry) =>
      withTopologyQueue(withQueueConsumerTag({ ...handler, options: { ...handler.options, ...entry, type: handler.options.type } }, options), options),
    );
  });
}

/**
 * A handler on a queue of the module's topology declares it as the topology does (its own
 * queueOptions win). A quorum one only checks it exists and binds it: the topology declares it (at
 * every connect), and the arguments a quorum handler would add (delivery limit, parking) would clash.
 */
function withTopologyQueue(handler: HandlerDefinition, options: ResolvedWarrenOptions): HandlerDefinition {
  const declared = options.topology.topology.queues.find((queue) => queue.name === handler.options.queue);
  if (!declared) return handler;
  const queueOptions = { durable: true, ...declared.options, ...handler.options.queueOptions };
  const quorum = (handler.options.queueType ?? queueOptions.arguments?.['x-queue-type'] ?? options.queues.type) === 'quorum';
  return { ...handler, options: { ...handler.options, queueOptions, ...(quorum ? { createQueueIfNotExists: false } : {}) } };
}

/** A module-level queue's `consumerTag` (golevelup's `queues`) for handlers on it that set none. */
function withQueueConsumerTag(handler: HandlerDefinition, options: ResolvedWarrenOptions): HandlerDefinition {
  const queues = (options.golevelup.queues ?? []) as Array<{ name?: string; consumerTag?: string }>;
  const consumerTag = queues.find((queue) => queue.name === handler.options.queue)?.consumerTag;
  const queueOptions = handler.options.queueOptions;
  if (!consumerTag || queueOptions?.consumerOptions?.consumerTag) return handler;
  const consumerOptions = { ...queueOptions?.consumerOptions, consumerTag };
  return { ...handler, options: { ...handler.options, queueOptions: { ...queueOptions, consumerOptions } } };
}

/**
 * A handler's prefetch: its own `prefetch`, else the `prefetchCount` of the channel its
 * `queueOptions.channel` names, else that of the module's default channel, else the module's.
 */
export function prefetchOf(handler: HandlerDefinition, options: ResolvedWarrenOptions, logger: WarrenLogger, rpcOnly = false): number {
  if (handler.options.prefetch !== undefined) return handler.options.prefetch;
  const channels = options.handling.channels;
  const named = handler.options.queueOptions?.channel;
  if (named !== undefined) {
    const channel = channels[named];
    if (channel) return channel.prefetchCount ?? options.prefetch;
    logger.warn(MESSAGES.unknownChannel(handler.name, named, Object.keys(channels).join(', ') || 'none'));
  }
  return Object.values(channels).find((channel) => channel.default)?.prefetchCount ?? (rpcOnly ? options.rpcPrefetch : options.prefetch);
}

/** Full batches need the prefetch to be at least the batch size: raised (with a note) when lower. */
export function batchPrefetch(handlers: HandlerDefinition[], prefetch: number, logger: WarrenLogger): number {
  let result = prefetch;
  for (const handler of handlers) {
    if (!handler.options.batchOptions || handler.options.type !== 'subscribe') continue;
    const { size } = batchSettings(handler);
    if (size > result) {
      logger.log(MESSAGES.prefetchRaisedForBatch(handler.name, size));
      result = size;
    }
  }
  return result;
}

/** A queue's in-flight byte budget: the smallest one its handlers set, else the module's `consumer.maxInFlightBytes`. */
export function maxInFlightBytesOf(handlers: HandlerDefinition[], options: ResolvedWarrenOptions): number {
  let smallest: number | undefined;
  for (const handler of handlers) {
    const own = handler.options.maxInFlightBytes;
    if (own === undefined) continue;
    if (!Number.isInteger(own) || own < 1) throw new WarrenConfigurationError(MESSAGES.invalidHandlerOption(handler.name, 'maxInFlightBytes', own));
    smallest = Math.min(smallest ?? own, own);
  }
  return smallest ?? options.consumer.maxInFlightBytes;
}

/**
 * The flow control options of a queue's handlers, checked and resolved once, at registration, and
 * whether the queue is consumed with noAck (logged as a warning: what is in flight is lost on a crash).
 */
export function flowOptionsOf(queue: string, handlers: HandlerDefinition[], logger: WarrenLogger): { flows: Map<HandlerDefinition, HandlerFlow>; autoAck: boolean } {
  const flows = new Map(handlers.map((handler) => [handler, resolveHandlerFlow(handler)] as const));
  const autoAck = queueAutoAck(queue, handlers, flows);
  if (autoAck) logger.warn(MESSAGES.autoAck(queue, handlers.map((handler) => handler.name).join(', ')));
  return { flows, autoAck };
}
