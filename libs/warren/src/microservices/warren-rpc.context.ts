import { BaseRpcContext } from '@nestjs/microservices';
import type { ConsumeMessage } from 'amqplib';
import { HEADERS } from '../warren.constants';

/** What Warren adds to every request a `WarrenClient` sends (the caller's remaining timeout, that it takes a stream). */
const REQUEST_HEADERS: readonly string[] = [HEADERS.timeoutMs, HEADERS.stream];

/**
 * What `@Ctx()` gives a handler served by `WarrenServer`: the AMQP message and the routing key it
 * was sent with. Warren settles every message itself, so there is no channel to ack on.
 */
export class WarrenRpcContext extends BaseRpcContext<[ConsumeMessage, string]> {
  private asSent?: ConsumeMessage;

  constructor(
    args: [ConsumeMessage, string],
    private readonly kind: 'message' | 'event' = 'message',
    private readonly signal?: AbortSignal,
  ) {
    super(args);
  }

  /**
   * Aborted when Warren stops waiting for this handler: its `timeoutMs` (the transport's
   * `handlerOptions` or the pattern's extras), the shutdown drain deadline, its channel lost.
   * Undefined unless the pattern has a `timeoutMs`.
   */
  getSignal(): AbortSignal | undefined {
    return this.signal;
  }

  /**
   * The message with its headers as the sender set them, as Nest's `RmqContext` gives it: the
   * headers Warren adds to requests (`warren-timeout-ms`, `warren-stream`) are set aside — see
   * `getRawMessage()`. Warren's retry bookkeeping on a retried event (`warren-attempt`, …) stays.
   */
  getMessage(): ConsumeMessage {
    this.asSent ??= withoutRequestHeaders(this.args[0]);
    return this.asSent;
  }

  /** The delivery exactly as the broker gave it, Warren's request headers included. */
  getRawMessage(): ConsumeMessage {
    return this.args[0];
  }

  /**
   * The routing key the message was sent with (`client.send('orders.paid', …)`), also for a
   * wildcard handler (`@MessagePattern('orders.*')`) and on a retried event — what Nest's
   * `RmqContext.getPattern()` gives. An object pattern reads as its JSON (`{"cmd":"sum"}`).
   */
  getPattern(): string {
    return this.args[1];
  }

  /** The sender's headers (`getMessage().properties.headers`); `{}` when it set none. */
  getHeaders(): Record<string, unknown> {
    return this.getMessage().properties.headers ?? {};
  }

  /**
   * How often a quorum queue's broker counted this message as a failed delivery before (its
   * `x-delivery-count`; 0 on the first delivery and on classic queues). On RabbitMQ 4.3+ a message
   * given back unprocessed (`basic.nack`) does not count; a failed attempt (`basic.reject`, which
   * Warren uses to requeue), a lost channel or connection do.
   */
  getDeliveryCount(): number {
    return counter(this.args[0], 'x-delivery-count') ?? 0;
  }

  /** How often the message was delivered before, whatever became of it (RabbitMQ 4.3+'s `x-acquired-count`); undefined where the broker does not say. */
  getAcquiredCount(): number | undefined {
    return counter(this.args[0], 'x-acquired-count');
  }

  /** True in an `@EventPattern` handler, false in a `@MessagePattern` one. */
  isEvent(): boolean {
    return this.kind === 'event';
  }
}

/** `message` itself when it carries none of Warren's request headers; else a copy without them (none left: no headers). */
function withoutRequestHeaders(message: ConsumeMessage): ConsumeMessage {
  const headers = message.properties.headers;
  if (!headers || !REQUEST_HEADERS.some((name) => name in headers)) return message;
  const kept = Object.fromEntries(Object.entries(headers).filter(([name]) => !REQUEST_HEADERS.includes(name)));
  return { ...message, properties: { ...message.properties, headers: Object.keys(kept).length > 0 ? kept : undefined } };
}

/** A numeric header the broker sets (amqplib decodes small integers as numbers, larger ones may come as bigint-like objects). */
function counter(message: ConsumeMessage, header: string): number | undefined {
  const value = message.properties.headers?.[header] as unknown;
  const number = typeof value === 'number' ? value : typeof value === 'bigint' ? Number(value) : undefined;
  return number !== undefined && Number.isFinite(number) ? number : undefined;
}
