import type { ConsumeMessage } from 'amqplib';
import type { DeliveryOrigin } from './delivery-origin';
import { decodeBody } from '../codec/message-codec';
import { decodeGolevelup } from '../codec/golevelup-format';
import { MalformedMessageError } from '../errors/malformed-message.error';
import { WarrenError } from '../errors/warren.error';
import type { MessageDeserializer } from '../interfaces';
import type { PayloadValidator } from '../validation/payload-validator';
import { isPromiseLike } from '../validation/schema-check';
import { ValidationPlan, validationPlan } from '../validation/validation-plan';
import { MESSAGES } from '../warren.messages';
import type { HandlerDefinition } from './handler-definition';
import { topicMatches } from './routing-key';
import { undecodableHeaders } from './undecodable-headers';

/** No handler on a shared queue matches the message's routing key. */
export class NoHandlerError extends WarrenError {
  readonly code = 'NO_HANDLER';
}

/**
 * Picks the handler for a delivery and runs it: decode the body by content type, validate it
 * (the handler's schema, DTO or primitive type: its plan, made here once per handler, which also
 * refuses contradictory declarations), then call the method through Nest's guards, interceptors
 * and pipes. Settling the message (ack, reject, reply) is the caller's job.
 */
export class MessageDispatcher {
  private readonly exact = new Map<string, HandlerDefinition>();
  private readonly patterns: Array<[string, HandlerDefinition]> = [];
  /** Handlers without a routing key of their own take, in turn, what no keyed handler matches. */
  private readonly fallbacks: HandlerDefinition[] = [];
  private nextFallback = 0;
  private readonly plans = new Map<HandlerDefinition, ValidationPlan | undefined>();

  constructor(
    readonly queueLabel: string,
    readonly handlers: HandlerDefinition[],
    validator: PayloadValidator | undefined,
    private readonly deserializer?: MessageDeserializer,
    /** `handlerFormat`: how a body without a content type is read. */
    private readonly format: 'warren' | 'golevelup' = 'warren',
  ) {
    for (const handler of handlers) this.plans.set(handler, validationPlan(handler, validator));
    for (const handler of handlers) {
      const keys = [handler.options.routingKey ?? [], (handler.options.bindings ?? []).map((b) => b.routingKey)].flat(2);
      if (keys.length === 0) this.fallbacks.push(handler);
      for (const key of keys) {
        if (key.includes('*') || key.includes('#')) this.patterns.push([key, handler]);
        else if (!this.exact.has(key)) this.exact.set(key, handler);
      }
    }
  }

  /** The handler for a routing key; a queue with one handler takes everything it receives. */
  route(routingKey: string): HandlerDefinition | undefined {
    if (this.handlers.length === 1) return this.handlers[0];
    const exact = this.exact.get(routingKey);
    if (exact) return exact;
    for (const [pattern, handler] of this.patterns) if (topicMatches(pattern, routingKey)) return handler;
    if (this.fallbacks.length === 0) return undefined;
    const fallback = this.fallbacks[this.nextFallback];
    this.nextFallback = (this.nextFallback + 1) % this.fallbacks.length;
    return fallback;
  }

  /** `origin`: where the delivery was first published (the handler's 5th argument, `@RabbitOrigin()`). */
  async dispatch(handler: HandlerDefinition | undefined, message: ConsumeMessage, signal?: AbortSignal, origin: DeliveryOrigin = message.fields): Promise<unknown> {
    if (!handler) throw new NoHandlerError(MESSAGES.noHandler(this.queueLabel, message.fields.routingKey));
    const prepared = this.prepare(handler, message);
    const payload = isPromiseLike(prepared) ? await prepared : prepared;
    return handler.invoke(payload, message, message.properties.headers ?? {}, signal, origin);
  }

  /** The payload the handler gets: decoded, then validated by its plan (a promise only for async checks). */
  prepare(handler: HandlerDefinition, message: ConsumeMessage): unknown {
    const decoded = this.decode(handler, message);
    const plan = this.plans.get(handler);
    return plan ? plan(decoded) : decoded;
  }

  /** By the handler's or module's deserializer if there is one, else by content type (and `handlerFormat`). */
  decode(handler: HandlerDefinition, message: ConsumeMessage): unknown {
    const badHeaders = undecodableHeaders(message.properties.headers);
    if (badHeaders) throw badHeaders; // not even allowNonJsonMessages lets these through
    const deserializer = handler.options.deserializer ?? this.deserializer;
    try {
      if (!deserializer) {
        const decode = this.format === 'golevelup' ? decodeGolevelup : decodeBody;
        return decode(message.content, message.properties.contentType);
      }
      try {
        return deserializer(message.content, message);
      } catch (error) {
        throw new MalformedMessageError(`the deserializer failed (${(error as Error).message})`);
      }
    } catch (error) {
      // allowNonJsonMessages: what cannot be decoded reaches the handler as text.
      if (handler.options.allowNonJsonMessages && error instanceof MalformedMessageError) return message.content.toString('utf8');
      throw error;
    }
  }
}
