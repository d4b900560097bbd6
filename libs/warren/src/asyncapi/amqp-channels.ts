import { AMQP_BINDING_VERSION } from './asyncapi.types';
import type { ChannelSpec } from './document-model';
import { keyOf } from './document-ids';

/** What the document says about an exchange: what Warren declares, or just its name. */
export interface ExchangeInfo {
  name: string;
  type?: string;
  durable?: boolean;
  autoDelete?: boolean;
}

/** What the document says about a queue. */
export interface QueueInfo {
  /** Undefined for a server-named queue. */
  name?: string;
  /** For a server-named queue: whose it is (its subject and key). */
  owner?: string;
  durable?: boolean;
  exclusive?: boolean;
  autoDelete?: boolean;
  description?: string;
  /** `x-warren-…` facts: queue type, delivery limit, x-arguments, bindings, role. */
  extensions?: Record<string, unknown>;
}

const BINDING_EXCHANGE_TYPES = new Set(['topic', 'direct', 'fanout', 'default', 'headers']);

/** The channel of an exchange and routing key (binding key): where senders publish and handlers are bound. */
export function routingKeyChannel(exchange: ExchangeInfo, routingKey: string, vhost: string): ChannelSpec {
  const type = exchange.name === '' ? 'default' : exchange.type;
  const described: Record<string, unknown> = { name: exchange.name };
  if (type !== undefined && BINDING_EXCHANGE_TYPES.has(type)) described.type = type;
  if (exchange.durable !== undefined) described.durable = exchange.durable;
  if (exchange.autoDelete !== undefined) described.autoDelete = exchange.autoDelete;
  described.vhost = vhost;
  const amqp: Record<string, unknown> = { is: 'routingKey', exchange: described, bindingVersion: AMQP_BINDING_VERSION };
  if (type !== undefined && !BINDING_EXCHANGE_TYPES.has(type)) amqp['x-warren-exchange-type'] = type;
  const where = exchange.name === '' ? 'the default exchange' : `exchange '${exchange.name}'`;
  return {
    subject: `exchange|${exchange.name}|${routingKey}`,
    key: `${keyOf(exchange.name || 'default')}__${routingKey === '' ? 'all' : keyOf(routingKey)}`,
    channel: {
      address: routingKey,
      title: `${exchange.name || '(default)'} ${routingKey === '' ? '(no routing key)' : routingKey}`,
      description: `Messages published to ${where} with routing key '${routingKey}'${/[*#]/.test(routingKey) ? ' (a binding pattern: * one word, # zero or more)' : ''}`,
      bindings: { amqp },
    },
  };
}

/** The channel of a queue: what handlers consume, and Warren's retry and dead-letter queues. */
export function queueChannel(queue: QueueInfo, vhost: string): ChannelSpec {
  const described: Record<string, unknown> = {};
  if (queue.name !== undefined) described.name = queue.name;
  for (const field of ['durable', 'exclusive', 'autoDelete'] as const) if (queue[field] !== undefined) described[field] = queue[field];
  described.vhost = vhost;
  const named = queue.name !== undefined;
  return {
    subject: named ? `queue|${queue.name}` : `queue|(server-named)|${queue.owner}`,
    key: `queue__${keyOf(named ? queue.name! : `${queue.owner}_queue`)}`,
    channel: {
      address: named ? queue.name! : null,
      title: named ? queue.name : `(server-named queue of ${queue.owner})`,
      description: queue.description ?? (named ? `Queue '${queue.name}'` : 'A queue the broker names, exclusive to its connection'),
      bindings: { amqp: { is: 'queue', queue: described, ...queue.extensions, bindingVersion: AMQP_BINDING_VERSION } },
    },
  };
}

/** Where an RPC operation's replies go: the caller's reply queue, whose name the request carries. */
export function replyChannel(owner: string): ChannelSpec {
  return {
    subject: `reply|${owner}`,
    key: `${keyOf(owner)}__reply`,
    channel: { address: null, title: `Replies to ${owner}`, description: "The caller's reply queue, named by the request's reply_to" },
  };
}
