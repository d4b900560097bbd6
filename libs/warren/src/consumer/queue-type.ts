import type { Options } from 'amqplib';
import { WarrenConfigurationError } from '../errors/configuration.error';
import type { QueueType } from '../interfaces';
import { MESSAGES } from '../warren.messages';
import type { HandlerDefinition } from './handler-definition';
import { BrokerCapabilities } from '../connection/broker-capabilities';

/** How a consumed queue is declared: its type, and for quorum queues the delivery limit and where that limit parks. */
export interface QueueKind {
  type: QueueType;
  /** Quorum only: deliveries after which the broker dead-letters a message (`x-delivery-limit`). */
  deliveryLimit?: number;
  /** The handler set the limit itself (`deliveryLimit` or `x-delivery-limit`): declared even with nowhere to park. */
  explicitLimit?: boolean;
  /**
   * The broker takes `x-delivery-limit: -1` for "no limit" and applies a default limit of 20 without
   * one (RabbitMQ 4.0+): queues that must never drop what they hold are declared with -1.
   */
  unlimited?: boolean;
  /** Quorum priorities the broker gives (2 on 4.0–4.2, 32 from 4.3): `x-max-priority` is accepted and not sent. */
  priorities?: number;
}

export interface QueueTypeDefaults {
  type: QueueType;
  deliveryLimit: number;
}

/** `x-` arguments a quorum queue accepts (RabbitMQ 3.10–4.x); any other is refused at start-up. */
const QUORUM_ARGUMENTS = new Set([
  'x-queue-type',
  'x-dead-letter-exchange',
  'x-dead-letter-routing-key',
  'x-dead-letter-strategy',
  'x-delivery-limit',
  'x-expires',
  'x-message-ttl',
  'x-max-length',
  'x-max-length-bytes',
  'x-overflow',
  'x-single-active-consumer',
  'x-quorum-initial-group-size',
  'x-queue-leader-locator',
]);

/** RabbitMQ 4.3's native delayed retry of quorum queues (`BrokerCapabilities.delayedRetry`). */
const DELAYED_RETRY_ARGUMENTS = new Set(['x-delayed-retry-type', 'x-delayed-retry-min', 'x-delayed-retry-max']);

/** amqplib's named queue options and the `x-` argument each becomes on the wire. */
export const NAMED_QUEUE_ARGUMENTS: ReadonlyArray<[keyof Options.AssertQueue, string]> = [
  ['maxPriority', 'x-max-priority'],
  ['messageTtl', 'x-message-ttl'],
  ['expires', 'x-expires'],
  ['maxLength', 'x-max-length'],
  ['deadLetterExchange', 'x-dead-letter-exchange'],
  ['deadLetterRoutingKey', 'x-dead-letter-routing-key'],
];

const WHY: Record<string, string> = {
  exclusive: 'quorum queues are replicated and outlive connections, so they cannot be exclusive',
  autoDelete: 'quorum queues cannot be auto-delete',
  durable: 'quorum queues are always durable',
  queue: 'a quorum queue needs a name (server-named queues are exclusive)',
  'x-overflow': "quorum queues accept only 'drop-head' and 'reject-publish'",
};

/** Why a quorum queue cannot have priorities on this broker (before RabbitMQ 4.0). */
const noPriorities = (broker: BrokerCapabilities) =>
  `quorum queues have no priorities on ${broker.label} (RabbitMQ 4.0+ gives them priorities without x-max-priority); use a classic queue for priorities`;

/**
 * The queue type of a group of handlers sharing a queue: a handler's `queueType`, else an
 * `x-queue-type` argument it declares (golevelup style), else the module's default for named
 * queues. Server-named queues are classic unless a handler asks otherwise (which is refused).
 * Everything a quorum queue would refuse is reported here, before anything is declared.
 */
export function queueKindOf(handlers: HandlerDefinition[], queue: string | undefined, defaults: QueueTypeDefaults, broker = BrokerCapabilities.UNKNOWN): QueueKind {
  const kinds = handlers.map((handler) => explicitType(handler));
  const asked = kinds.find((kind): kind is QueueType => kind !== undefined);
  for (const [i, kind] of kinds.entries()) {
    if (kind !== undefined && kind !== asked) {
      throw new WarrenConfigurationError(MESSAGES.queueTypeConflict(queue ?? '(server-named)', handlers[0].name, asked!, handlers[i].name, kind));
    }
  }
  const type = asked ?? (queue === undefined ? 'classic' : defaults.type);
  if (type !== 'quorum') return { type };
  for (const handler of handlers) checkQuorumOptions(handler, queue, broker);
  const limits = handlers.map((handler) => handler.options.deliveryLimit ?? handler.options.queueOptions?.arguments?.['x-delivery-limit']).filter((l) => l !== undefined);
  const deliveryLimit = Number(limits[0] ?? defaults.deliveryLimit);
  if (deliveryLimit === -1 && !broker.unlimitedDeliveryLimit) {
    throw new WarrenConfigurationError(MESSAGES.brokerRefuses(handlers[0].name, queue!, 'deliveryLimit: -1', broker.label, 'no limit (-1) needs RabbitMQ 4.0+; RabbitMQ 3.x dead-letters a message at its first return with it'));
  }
  if (!Number.isInteger(deliveryLimit) || (deliveryLimit < 1 && deliveryLimit !== -1)) {
    throw new WarrenConfigurationError(MESSAGES.quorumRefuses(handlers[0].name, queue!, 'deliveryLimit', `it must be a positive integer (or -1 for none, on RabbitMQ 4.0+); got ${String(limits[0])}`));
  }
  const version = { ...(broker.unlimitedDeliveryLimit ? { unlimited: true } : {}), ...(broker.quorumPriorities > 0 ? { priorities: broker.quorumPriorities } : {}) };
  return { type, deliveryLimit, explicitLimit: limits.length > 0, ...version };
}

function explicitType(handler: HandlerDefinition): QueueType | undefined {
  const argument = handler.options.queueOptions?.arguments?.['x-queue-type'];
  const type = handler.options.queueType ?? (argument as QueueType | undefined);
  if (type !== undefined && type !== 'classic' && type !== 'quorum') {
    throw new WarrenConfigurationError(MESSAGES.unknownQueueType(handler.name, String(type)));
  }
  return type;
}

function checkQuorumOptions(handler: HandlerDefinition, queue: string | undefined, broker: BrokerCapabilities): void {
  const refuse = (option: string) => {
    if (option === 'x-max-priority' && broker.quorumPriorities > 0) return;
    const why = option === 'x-max-priority' ? noPriorities(broker) : (WHY[option] ?? 'quorum queues do not support it');
    throw new WarrenConfigurationError(MESSAGES.quorumRefuses(handler.name, queue ?? '(server-named)', option, why));
  };
  if (queue === undefined) refuse('queue');
  const options = handler.options.queueOptions ?? {};
  if (options.exclusive) refuse('exclusive');
  if (options.autoDelete) refuse('autoDelete');
  if (options.durable === false) refuse('durable');
  for (const [name, argument] of NAMED_QUEUE_ARGUMENTS) {
    if (options[name] !== undefined && !QUORUM_ARGUMENTS.has(argument)) refuse(argument);
  }
  for (const [argument, value] of Object.entries(options.arguments ?? {})) {
    if (!argument.startsWith('x-')) continue;
    if (DELAYED_RETRY_ARGUMENTS.has(argument)) {
      if (broker.delayedRetry) continue;
      throw new WarrenConfigurationError(MESSAGES.brokerRefuses(handler.name, queue!, argument, broker.label, 'quorum queues delay retries themselves from RabbitMQ 4.3; older versions ignore the argument (use Warren\'s retry option instead)'));
    }
    if (!QUORUM_ARGUMENTS.has(argument)) refuse(argument);
    if (argument === 'x-overflow' && value !== 'drop-head' && value !== 'reject-publish') refuse('x-overflow');
  }
}

/**
 * The `x-` arguments that make a queue of this kind (none for classic, which is the broker's default).
 * The delivery limit only where the broker can park what reaches it (`parks`), or where the handler
 * asked for it: a limit with nowhere to dead-letter would silently drop messages. Without one, the
 * queue has no limit (RabbitMQ 4.0+ needs -1 for that: it would apply 20).
 */
export function kindArguments(kind: QueueKind, parks = true): Record<string, unknown> {
  if (kind.type !== 'quorum') return {};
  return parks || kind.explicitLimit ? { 'x-queue-type': 'quorum', 'x-delivery-limit': kind.deliveryLimit } : companionArguments(kind);
}

/**
 * Companion queues (retry delays, dead letters) are of the handler queue's type, without a delivery
 * limit (-1 where the broker would otherwise apply its default): a parked message read and put back
 * (`warren dlq inspect`) must never be dropped. A handler that reads a quorum dead-letter queue
 * (`queueType: 'quorum'`, `deadLetterQueue: false`) declares it alike.
 */
export function companionArguments(kind: QueueKind): Record<string, unknown> {
  if (kind.type !== 'quorum') return {};
  return kind.unlimited ? { 'x-queue-type': 'quorum', 'x-delivery-limit': -1 } : { 'x-queue-type': 'quorum' };
}
