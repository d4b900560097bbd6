import type { Options } from 'amqplib';
import { delayQueueName } from '../consumer/failure-policy';
import type { HandlerDefinition } from '../consumer/handler-definition';
import { HandlerPolicy, delaySteps, handlerPolicy } from '../consumer/handler-policy';
import type { ConsumerPlan } from '../consumer/queue-consumer';
import { ANONYMOUS_QUEUE_DEFAULTS, queueArguments } from '../consumer/queue-topology';
import { NAMED_QUEUE_ARGUMENTS, companionArguments } from '../consumer/queue-type';
import { AMQP_BINDING_VERSION } from './asyncapi.types';
import { ExchangeInfo, QueueInfo, queueChannel, replyChannel, routingKeyChannel } from './amqp-channels';
import type { DocumentModel } from './document-model';
import { keyOf } from './document-ids';
import type { MessageCatalog } from './message-catalog';
import { REPLY_ADDRESS } from './warren-headers';

export interface ReceiverContext {
  model: DocumentModel;
  messages: MessageCatalog;
  exchanges: ReadonlyMap<string, ExchangeInfo>;
  vhost: string;
  /** Bindings the module's topology gives each queue. */
  topologyBindings: ReadonlyMap<string, Array<{ exchange: string; routingKey: string }>>;
  /** A payload schema for a handler other than its DTO (component calls); undefined for the usual one. */
  describeHandler?: (handler: HandlerDefinition) => { request: string[]; reply?: string[] } | undefined;
}

/** The exchange/key pairs a handler's queue is bound with, as `declareQueue` binds them. */
function bindingsOf(handler: HandlerDefinition): Array<{ exchange: string; routingKey: string }> {
  const { exchange, routingKey, bindings } = handler.options;
  const pairs: Array<{ exchange: string; routingKey: string }> = [];
  if (exchange) for (const key of routingKey === undefined ? [''] : [routingKey].flat()) pairs.push({ exchange, routingKey: key });
  for (const binding of bindings ?? []) pairs.push({ exchange: binding.exchange, routingKey: binding.routingKey });
  return pairs;
}

/**
 * One consumer's part of the document: its queue, a receive operation per handler on each
 * exchange/routing key it is bound to (or on the queue itself), RPC replies, and the dead-letter
 * and retry queues its handlers' policies use — the same policies the consumer applies.
 */
export function describeConsumer(plan: ConsumerPlan, ctx: ReceiverContext): void {
  const { queue, retry, handlers } = plan;
  const named = queue !== undefined;
  const policies = handlers.map((handler) => handlerPolicy(handler, queue ?? '(server-named)', named, retry));
  const parking = named ? policies.map((policy) => policy.deadLetterQueue).find((dlq) => dlq !== undefined) : undefined;
  const queueSubject = ctx.model.channel(queueChannel(consumedQueue(plan, parking, ctx), ctx.vhost));
  handlers.forEach((handler, i) => describeHandler(handler, policies[i], queue, queueSubject, ctx));
}

/** The dead-letter and retry queues of a consumer (added after every consumed queue, whose own description wins). */
export function describeCompanions(plan: ConsumerPlan, ctx: ReceiverContext): void {
  const { queue, kind, retry, handlers } = plan;
  const source = queue ?? '(server-named)';
  const typed = companionArguments(kind);
  const byQueue = new Map<string, string[]>();
  // Server-named queues retry in place (no delay queues) and park only where a handler says.
  const policies = handlers.map((handler) => handlerPolicy(handler, source, queue !== undefined, retry));
  handlers.forEach((handler, i) => {
    const dlq = policies[i].deadLetterQueue;
    if (dlq) byQueue.set(dlq, [...(byQueue.get(dlq) ?? []), handler.name]);
  });
  for (const [dlq, owners] of byQueue) {
    const info: QueueInfo = {
      name: dlq,
      durable: true,
      exclusive: false,
      autoDelete: false,
      description: `Dead letters of '${source}': messages that failed for good, with Warren's headers saying why (warren dlq inspect|replay)`,
      extensions: { 'x-warren-role': 'dead-letter', 'x-warren-source-queue': queue ?? null, 'x-warren-queue-type': kind.type, 'x-warren-arguments': typed },
    };
    const subject = ctx.model.channel(queueChannel(info, ctx.vhost));
    ctx.model.carry(subject, handlers.filter((h) => owners.includes(h.name)).map((h) => requestMessage(h, ctx)));
  }
  if (queue === undefined) return;
  for (const delayMs of delaySteps(policies)) {
    const info: QueueInfo = {
      name: delayQueueName(queue, delayMs),
      durable: true,
      exclusive: false,
      autoDelete: false,
      description: `Retries of '${queue}' wait here ${delayMs} ms, then go back to it (through the default exchange)`,
      extensions: {
        'x-warren-role': 'retry',
        'x-warren-source-queue': queue,
        'x-warren-delay-ms': delayMs,
        'x-warren-arguments': { ...typed, 'x-message-ttl': delayMs, 'x-dead-letter-exchange': '', 'x-dead-letter-routing-key': queue },
      },
    };
    const subject = ctx.model.channel(queueChannel(info, ctx.vhost));
    const retrying = handlers.filter((_, i) => delaySteps([policies[i]]).includes(delayMs));
    ctx.model.carry(subject, retrying.map((h) => requestMessage(h, ctx)));
  }
}

function describeHandler(handler: HandlerDefinition, policy: HandlerPolicy, queue: string | undefined, queueSubject: string, ctx: ReceiverContext): void {
  const rpc = handler.options.type === 'rpc';
  const custom = ctx.describeHandler?.(handler);
  const request = custom?.request ?? [requestMessage(handler, ctx)];
  ctx.model.carry(queueSubject, request);
  const pairs = bindingsOf(handler);
  const channels = pairs.length === 0 ? [queueSubject] : pairs.map(({ exchange, routingKey }) => ctx.model.channel(routingKeyChannel(exchangeInfo(exchange, ctx), routingKey, ctx.vhost)));
  const reply = rpc ? replyOf(handler, custom?.reply, ctx) : undefined;
  const extensions: Record<string, unknown> = { 'x-warren-handler': handler.name, 'x-warren-queue': queue ?? null };
  if (policy.retry) extensions['x-warren-retry'] = { ...policy.retry };
  if (policy.deadLetterQueue) extensions['x-warren-dead-letter-queue'] = policy.deadLetterQueue;
  channels.forEach((channel, i) => {
    const pair = pairs[i];
    ctx.model.operation({
      subject: pairs.length > 1 ? `receive|${handler.name}|${channel}` : `receive|${handler.name}`,
      key: pairs.length > 1 ? `${keyOf(handler.name)}__${keyOf(pair.exchange)}__${keyOf(pair.routingKey || 'all')}` : keyOf(handler.name),
      channel,
      messages: request,
      operation: {
        action: 'receive',
        title: handler.name,
        description: rpc ? `${handler.name} answers these requests` : `${handler.name} handles these messages (acked once it returns; failures retried, then parked)`,
        bindings: { amqp: { ack: true, bindingVersion: AMQP_BINDING_VERSION } },
        ...extensions,
      },
      reply,
    });
  });
}

function requestMessage(handler: HandlerDefinition, ctx: ReceiverContext): string {
  const options = handler.options as typeof handler.options & { schema?: unknown };
  const source = options.schema ?? handler.payloadType ?? options.payloadDto;
  return ctx.messages.payload(handler.options.type === 'rpc' ? 'request' : 'event', source, handler.name);
}

function replyOf(handler: HandlerDefinition, custom: string[] | undefined, ctx: ReceiverContext) {
  const response = (handler.options as { response?: unknown }).response;
  const channel = ctx.model.channel(replyChannel(handler.name));
  const result = custom ?? [ctx.messages.payload('reply', response, handler.name)];
  return { channel, messages: [...result, ctx.messages.errorReply()], address: REPLY_ADDRESS };
}

function exchangeInfo(name: string, ctx: ReceiverContext): ExchangeInfo {
  return ctx.exchanges.get(name) ?? { name };
}

/** The consumed queue as the consumer declares it (or, when it only checks it, as far as its options say). */
function consumedQueue(plan: ConsumerPlan, parking: string | undefined, ctx: ReceiverContext): QueueInfo {
  const { queue, kind, declare, handlers } = plan;
  const first = handlers[0].options;
  const checkedOnly = queue !== undefined && (first.createQueueIfNotExists === false || !declare);
  const given = queueArguments(first.queueOptions, kind, parking);
  const args: Options.AssertQueue = queue === undefined ? { ...ANONYMOUS_QUEUE_DEFAULTS, ...given } : given;
  const extensions: Record<string, unknown> = { 'x-warren-queue-type': kind.type };
  if (kind.type === 'quorum') extensions['x-warren-delivery-limit'] = kind.deliveryLimit;
  const xArguments = argumentsOf(args);
  if (Object.keys(xArguments).length > 0) extensions['x-warren-arguments'] = xArguments;
  const bindings = [...handlers.flatMap(bindingsOf), ...(queue === undefined ? [] : ctx.topologyBindings.get(queue) ?? [])];
  if (bindings.length > 0) extensions['x-warren-bindings'] = dedupe(bindings);
  if (checkedOnly) extensions['x-warren-checked-only'] = true;
  const info: QueueInfo = { name: queue, owner: handlers[0].name, extensions, description: queue === undefined ? undefined : `Queue '${queue}', consumed by ${handlers.map((h) => h.name).join(', ')}` };
  if (!checkedOnly || args.durable !== undefined) info.durable = args.durable ?? true;
  if (!checkedOnly) Object.assign(info, { exclusive: args.exclusive ?? false, autoDelete: args.autoDelete ?? false });
  return info;
}

/** The `x-` arguments a queue is declared with: amqplib's named options under their wire names, then `arguments`. */
function argumentsOf(args: Options.AssertQueue): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [option, wire] of NAMED_QUEUE_ARGUMENTS) if (args[option] !== undefined) out[wire] = args[option];
  return { ...out, ...args.arguments };
}

function dedupe(pairs: Array<{ exchange: string; routingKey: string }>): Array<{ exchange: string; routingKey: string }> {
  const seen = new Set<string>();
  return pairs.filter((pair) => {
    const id = `${pair.exchange}\u0000${pair.routingKey}`;
    return seen.has(id) ? false : (seen.add(id), true);
  });
}
