import type { Channel, ConsumeMessage } from 'amqplib';
import type { MessageErrorHandler, RabbitHandlerMetadata } from '../interfaces';
import type { ResolvedWarrenOptions } from '../warren-options';
import { Nack } from './nack';

/** How a message ends when its handler (or the module) asked for something other than Warren's default. */
export type UserSettlement =
  | { kind: 'behavior'; behavior: 'ACK' | 'NACK' | 'REQUEUE' }
  | { kind: 'handler'; handler: MessageErrorHandler };

/**
 * How Warren ends a delivery, one word per AMQP method:
 * - `ack`: done (`basic.ack`, coalesced per tick);
 * - `reject`: failed for good (`basic.reject` without requeue: the queue's dead-letter exchange, or dropped);
 * - `retry-requeue`: failed, try again (`basic.reject` with requeue): a returned `Nack(true)`,
 *   `errorBehavior: 'REQUEUE'`, an error handler's requeue, a retry or dead letter that could not be
 *   forwarded. Every RabbitMQ version counts it toward a quorum queue's delivery limit;
 * - `return`: given back unprocessed (`basic.nack` with requeue): shutdown's leftovers, deliveries
 *   that came after the cancel. RabbitMQ 4.3+ does not count it (older versions do).
 */
export type Outcome = 'ack' | 'reject' | 'retry-requeue' | 'return';

/**
 * What the user asked a failure of this handler to get, or undefined for Warren's own handling
 * (retry then park for subscribers, an error reply for RPC). A handler's `errorHandler` wins over
 * its `errorBehavior`, which wins over the module defaults. RPC handlers take only error handlers.
 */
export function userFailureSettlement(options: RabbitHandlerMetadata | undefined, defaults: ResolvedWarrenOptions['handling']): UserSettlement | undefined {
  if (!options) return undefined;
  if (typeof options.errorHandler === 'function') return { kind: 'handler', handler: options.errorHandler };
  if (options.type === 'rpc') {
    return defaults.defaultRpcErrorHandler ? { kind: 'handler', handler: defaults.defaultRpcErrorHandler } : undefined;
  }
  const behavior = options.errorBehavior ?? defaults.defaultSubscribeErrorBehavior;
  return behavior ? { kind: 'behavior', behavior } : undefined;
}

/** What a returned `Nack` asks for: back to the queue, or failed for good. */
export function nackSettlement(nack: Nack): UserSettlement {
  return { kind: 'behavior', behavior: nack.requeue ? 'REQUEUE' : 'NACK' };
}

export function isNack(result: unknown): result is Nack {
  return result instanceof Nack;
}

/**
 * The consumer's channel as a user's error handler sees it: `ack`, `nack` and `reject` of the
 * given messages go through Warren's bookkeeping (so each is settled exactly once, in order with
 * Warren's coalesced acks); everything else (`publish` a reply, …) is the channel itself. An error
 * handler settles a failed message: `nack` or `reject` with requeue is a failed attempt
 * (`retry-requeue`, so it counts toward a quorum queue's delivery limit on RabbitMQ 4.3 too).
 */
export function settlingChannel(channel: Channel, messages: ConsumeMessage[], settle: (message: ConsumeMessage, outcome: Outcome) => void): Channel {
  const ours = (m: unknown) => messages.find((own) => own === m || own.fields.deliveryTag === (m as ConsumeMessage | undefined)?.fields?.deliveryTag);
  const nack = (m: ConsumeMessage, requeue: boolean, otherwise: () => void) => {
    const own = ours(m);
    if (own) settle(own, requeue ? 'retry-requeue' : 'reject');
    else otherwise();
  };
  const overrides: Record<string | symbol, unknown> = {
    ack: (m: ConsumeMessage) => {
      const own = ours(m);
      if (own) settle(own, 'ack');
      else channel.ack(m);
    },
    nack: (m: ConsumeMessage, allUpTo?: boolean, requeue = true) => nack(m, requeue, () => channel.nack(m, allUpTo, requeue)),
    reject: (m: ConsumeMessage, requeue = true) => nack(m, requeue, () => channel.reject(m, requeue)),
  };
  return new Proxy(channel, {
    get(target, property) {
      if (property in overrides) return overrides[property];
      const value = Reflect.get(target, property, target) as unknown;
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}
