import type { EventContract, RpcContract } from '../contracts/contracts';
import type { PublishOptions } from '../interfaces';
import type { WarrenPublication } from '../topology';
import { AMQP_BINDING_VERSION } from './asyncapi.types';
import { ExchangeInfo, replyChannel, routingKeyChannel } from './amqp-channels';
import type { DocumentModel } from './document-model';
import { keyOf } from './document-ids';
import type { MessageCatalog } from './message-catalog';
import { REPLY_ADDRESS } from './warren-headers';

export interface SenderContext {
  model: DocumentModel;
  messages: MessageCatalog;
  exchanges: ReadonlyMap<string, ExchangeInfo>;
  vhost: string;
  /** The module's `publish.mandatory` and `defaultPublishOptions`, as `publishProperties` applies them. */
  mandatory: boolean;
  defaults: PublishOptions;
}

/** A named publication (`producer.publishTo(name, …)`): a send operation on its exchange and routing key. */
export function describePublication(name: string, publication: WarrenPublication, ctx: SenderContext): void {
  const channel = ctx.model.channel(routingKeyChannel(exchangeInfo(publication.exchange, ctx), publication.routingKey, ctx.vhost));
  const schema = (publication as WarrenPublication & { schema?: unknown }).schema;
  const message = ctx.messages.payload('event', schema, `publication ${name}`);
  ctx.model.operation({
    subject: `send|publication|${name}`,
    key: `publish__${keyOf(name)}`,
    channel,
    messages: [message],
    operation: {
      action: 'send',
      title: `publishTo('${name}')`,
      description: `The publication '${name}' of this application (confirmed by the broker)`,
      bindings: { amqp: publishBindings({ ...ctx.defaults, ...publication.options }, ctx.mandatory) },
      'x-warren-publication': name,
    },
  });
}

/** A contract this application publishes or calls (the module's `contracts`). */
export function describeSentContract(contract: RpcContract<unknown, unknown> | EventContract<unknown>, ctx: SenderContext): void {
  const channel = ctx.model.channel(routingKeyChannel(exchangeInfo(contract.exchange, ctx), contract.routingKey, ctx.vhost));
  const target = `${contract.exchange || '(default)'} ${contract.routingKey}`;
  const loose = contract as unknown as { schema?: unknown; request?: unknown; payload?: unknown; response?: unknown };
  if (contract.kind === 'event') {
    const message = ctx.messages.payload('event', loose.schema ?? loose.payload, `event ${target}`);
    ctx.model.operation({
      subject: `send|event|${contract.exchange}|${contract.routingKey}`,
      key: `publish__${keyOf(contract.exchange || 'default')}__${keyOf(contract.routingKey)}`,
      channel,
      messages: [message],
      operation: { action: 'send', title: `publish(${target})`, description: 'An event contract this application publishes', bindings: { amqp: publishBindings(ctx.defaults, ctx.mandatory) } },
    });
    return;
  }
  const owner = `call ${target}`;
  const request = ctx.messages.payload('request', loose.schema ?? loose.request, owner);
  const reply = ctx.model.channel(replyChannel(owner));
  ctx.model.operation({
    subject: `send|rpc|${contract.exchange}|${contract.routingKey}`,
    key: `call__${keyOf(contract.exchange || 'default')}__${keyOf(contract.routingKey)}`,
    channel,
    messages: [request],
    operation: {
      action: 'send',
      title: `rpc.call(${target})`,
      description: 'An RPC contract this application calls; the reply comes to its direct reply-to queue',
      // Requests are transient and mandatory; each expires when its caller stops waiting.
      bindings: { amqp: { deliveryMode: 1, mandatory: true, bindingVersion: AMQP_BINDING_VERSION } },
    },
    reply: { channel: reply, messages: [ctx.messages.payload('reply', loose.response, owner), ctx.messages.errorReply()], address: REPLY_ADDRESS },
  });
}

/** Delivery mode, mandatory flag, priority and expiration of a publish (never its user or headers). */
function publishBindings(options: PublishOptions, mandatory: boolean): Record<string, unknown> {
  const bindings: Record<string, unknown> = { deliveryMode: (options.persistent ?? true) ? 2 : 1, mandatory: options.mandatory ?? mandatory };
  if (options.priority !== undefined) bindings.priority = options.priority;
  const expiration = Number(options.expiration);
  if (options.expiration !== undefined && Number.isFinite(expiration) && expiration >= 0) bindings.expiration = Math.ceil(expiration);
  bindings.bindingVersion = AMQP_BINDING_VERSION;
  return bindings;
}

function exchangeInfo(name: string, ctx: SenderContext): ExchangeInfo {
  return ctx.exchanges.get(name) ?? { name };
}
