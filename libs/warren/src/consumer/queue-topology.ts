import type { Channel, Options } from 'amqplib';
import type { QueueOptions } from '../interfaces';
import { delayQueueName } from './failure-policy';
import type { HandlerDefinition } from './handler-definition';
import { HandlerPolicy, delaySteps } from './handler-policy';
import { QueueKind, companionArguments, kindArguments } from './queue-type';

/** Server-named queues belong to one connection: they should vanish with it. */
export const ANONYMOUS_QUEUE_DEFAULTS: Options.AssertQueue = { exclusive: true, durable: false, autoDelete: true };

/**
 * The declaration Warren sends for `queue`, given the one it would like (see `LegacyLimits`: a queue
 * an earlier Warren declared without `x-delivery-limit: -1` is declared as it exists). Default: as is.
 */
export type DeclarationFit = (queue: string, options: Options.AssertQueue) => Promise<Options.AssertQueue>;

const asIs: DeclarationFit = async (_queue, options) => options;

/**
 * Declares the queue that a group of handlers consumes (or checks it exists) and binds it as
 * each handler asks. Runs on every new channel, so topology comes back after a reconnect.
 * Returns the queue's actual name (the server's, for unnamed queues).
 * A quorum queue whose handlers park failures also dead-letters into that queue when its delivery
 * limit is reached (unless the user gave it a dead-letter exchange of their own).
 */
export async function declareQueue(
  channel: Channel,
  queue: string | undefined,
  handlers: HandlerDefinition[],
  declare = true,
  kind: QueueKind = { type: 'classic' },
  deadLetterQueue?: string,
  fit: DeclarationFit = asIs,
): Promise<string> {
  const first = handlers[0].options;
  let name: string;
  if ((first.createQueueIfNotExists === false || !declare) && queue) {
    name = (await channel.checkQueue(queue)).queue;
    // topology 'check' mode: the bindings are the broker's business (they cannot be checked).
    if (!declare) return name;
  } else {
    const args = queueArguments(first.queueOptions, kind, deadLetterQueue);
    name = (await channel.assertQueue(queue ?? '', queue ? await fit(queue, args) : { ...ANONYMOUS_QUEUE_DEFAULTS, ...args })).queue;
  }
  for (const handler of handlers) {
    const { exchange, routingKey, bindings, queueOptions } = handler.options;
    const bindArgs = queueOptions?.bindQueueArguments;
    if (exchange) {
      const keys = routingKey === undefined ? [''] : Array.isArray(routingKey) ? routingKey : [routingKey];
      for (const key of keys) await channel.bindQueue(name, exchange, key, bindArgs);
    }
    for (const binding of bindings ?? []) await channel.bindQueue(name, binding.exchange, binding.routingKey, bindArgs);
  }
  return name;
}

/** The arguments a consumed queue is declared with (also read by the AsyncAPI document). */
export function queueArguments(options: QueueOptions | undefined, kind: QueueKind, deadLetterQueue: string | undefined): Options.AssertQueue {
  // eslint-disable-next-line @typescript-eslint/no-unused-vars
  const { bindQueueArguments, consumerOptions, channel, ...args } = options ?? {};
  if (kind.type !== 'quorum') return args;
  const ownDlx = args.deadLetterExchange !== undefined || args.arguments?.['x-dead-letter-exchange'] !== undefined;
  const parking = deadLetterQueue !== undefined && !ownDlx ? { 'x-dead-letter-exchange': '', 'x-dead-letter-routing-key': deadLetterQueue } : {};
  // Quorum queues have priorities without x-max-priority (RabbitMQ 4.0+; queueKindOf refused it before) and refuse the argument.
  const { maxPriority: _priority, ...quorumArgs } = args;
  const { 'x-max-priority': _argument, ...given } = args.arguments ?? {};
  return { ...quorumArgs, durable: true, arguments: { ...parking, ...kindArguments(kind, deadLetterQueue !== undefined || ownDlx), ...given } };
}

/**
 * Declares a queue's dead-letter queues and one delay queue per backoff step. A delay queue
 * holds messages for its TTL, then dead-letters them back to `queue` through the default
 * exchange: retries need no plugin and no timer in the service.
 */
export async function declareRetryTopology(channel: Channel, queue: string, policies: HandlerPolicy[], kind: QueueKind = { type: 'classic' }, fit: DeclarationFit = asIs): Promise<void> {
  const typed = companionArguments(kind);
  const deadLetterQueues = new Set(policies.map((p) => p.deadLetterQueue).filter((q): q is string => q !== undefined));
  for (const dlq of deadLetterQueues) await channel.assertQueue(dlq, await fit(dlq, { durable: true, arguments: typed }));
  for (const delayMs of delaySteps(policies)) {
    const name = delayQueueName(queue, delayMs);
    const options = { durable: true, arguments: { ...typed, 'x-message-ttl': delayMs, 'x-dead-letter-exchange': '', 'x-dead-letter-routing-key': queue } };
    await channel.assertQueue(name, await fit(name, options));
  }
}
