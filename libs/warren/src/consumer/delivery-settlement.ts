import type { Channel, ConfirmChannel, ConsumeMessage, Options } from 'amqplib';
import { WarrenError } from '../errors/warren.error';
import type { WarrenLogger } from '../logging/warren-logger';
import { RateLimitedLog } from '../logging/rate-limited-log';
import { MESSAGES } from '../warren.messages';
import type { AckBatcher } from './ack-batcher';
import type { Forwarding } from './consumer-publisher';
import type { DeliveryOrigin } from './delivery-origin';
import { decideFailure, delayQueueName } from './failure-policy';
import type { HandlerDefinition } from './handler-definition';
import type { HandlerPolicy } from './handler-policy';
import { bodyDroppedHeaders, copyProperties, deadLetterHeaders, errorMessage, retryHeaders } from './redelivery';
import { MessageTooLargeError } from '../errors/message-too-large.error';
import { ReturnedNack } from './nack';
import { Outcome, UserSettlement, settlingChannel } from './user-settlement';
import { spanEvent } from '../tracing/warren-tracing';
import { recordDeadLetter, recordRetry } from '../tracing/warren-metrics';
import type { DeliveryOutcome, MessageObservers } from '../observers/message-observers';

export interface Delivery {
  message: ConsumeMessage;
  /** Decided once on arrival: routes it, counts its attempt and is what its copies record. */
  origin: DeliveryOrigin;
  channel: ConfirmChannel;
  acks: AckBatcher;
  /** Given back to the queue at the drain deadline; the handler's late outcome is ignored. */
  abandoned: boolean;
  /** Aborted when Warren stops waiting for the handler (drain deadline, channel lost); made only for handlers that take the signal. */
  abort?: AbortController;
  /** For observers: the handler that took it, what it threw, and where a failure sent it. */
  handler?: string;
  error?: unknown;
  forwardedAs?: 'retried' | 'dead-lettered';
  /** Reported to observers already (a user's errorHandler may settle twice; only the first counts). */
  reported?: boolean;
  /** Its handler's deadline passed: it failed then, and what the handler does from now on is ignored. */
  expired?: boolean;
  /** Settles when the handler really returned (set for handlers with a deadline, which may outlive it). */
  running?: Promise<unknown>;
}

const EMPTY_BODY = Buffer.alloc(0);

const OBSERVED: Record<Exclude<Outcome, 'ack'>, DeliveryOutcome> = { reject: 'rejected', 'retry-requeue': 'requeued', return: 'returned' };

function sendOutcome(acks: AckBatcher, tag: number, outcome: Outcome): void {
  if (outcome === 'ack') acks.ack(tag);
  else if (outcome === 'return') acks.giveBack(tag);
  else acks.reject(tag, outcome === 'retry-requeue');
}

/** What a settlement needs of its queue's consumer. */
export interface SettlementHost {
  queueName(): string;
  /** Whether `channel` is still the consumer's current, open channel. */
  isLive(channel: Channel): boolean;
  policies: Map<HandlerDefinition, HandlerPolicy>;
  /** Publishes retry and dead-letter copies (on the publishing connection while it is up). */
  forwarder: Forwarding;
  /** Subscribers forward retries and dead letters on a confirm channel; RPC-only queues reject instead. */
  confirming: boolean;
  logger: WarrenLogger;
  observers?: MessageObservers;
  /** Consumed with noAck: the broker settled every delivery as it sent it; nothing goes back to the queue. */
  autoAck?: boolean;
}

/**
 * How one queue's deliveries end: ack, requeue or reject, exactly once and only on the channel
 * they came from; on failure a retry copy or a dead letter, confirmed before the original is acked;
 * or what the user asked for (a returned Nack, errorBehavior, errorHandler).
 */
export class DeliverySettlement {
  private readonly lost: RateLimitedLog;

  constructor(private readonly host: SettlementHost) {
    this.lost = new RateLimitedLog((line) => host.logger.warn(line));
  }

  /** A returned Nack, or the handler's or module's errorBehavior / errorHandler. */
  async settleAsAsked(delivery: Delivery, handler: HandlerDefinition | undefined, asked: UserSettlement, error: unknown): Promise<void> {
    const name = handler?.name ?? `queue '${this.host.queueName()}'`;
    if (asked.kind === 'handler') {
      let settled = false;
      const settle = (outcome: Outcome) => ((settled = true), this.settle(delivery, outcome));
      try {
        await asked.handler(settlingChannel(delivery.channel, [delivery.message], (_message, outcome) => settle(outcome)), delivery.message, error);
        if (!settled) this.host.logger.warn(MESSAGES.errorHandlerDidNotSettle(name));
      } catch (handlerError) {
        this.host.logger.error(MESSAGES.errorHandlerFailed(name, errorMessage(handlerError)));
        if (!settled) await this.onFailure(delivery, handler, name, error);
      }
    } else if (asked.behavior === 'NACK') {
      await this.onFailure(delivery, handler, name, error, false);
    } else {
      this.settle(delivery, asked.behavior === 'ACK' ? 'ack' : 'retry-requeue');
    }
  }

  /** Retry, park in the dead-letter queue, or reject, as the handler's policy says (`retry: false`: no retry). */
  async onFailure(delivery: Delivery, handler: HandlerDefinition | undefined, name: string, error: unknown, retry?: false): Promise<void> {
    // A message no handler took is parked where the queue's subscribers park theirs, without retry.
    const found: HandlerPolicy | undefined = handler && this.host.policies.get(handler);
    const policy: HandlerPolicy = (found && (retry === false ? { ...found, retry: false } : found)) ?? {
      retry: false,
      deadLetterQueue: [...this.host.policies.values()].find((p) => p.deadLetterQueue !== undefined)?.deadLetterQueue,
    };
    const attempt = delivery.origin.attempt ?? 1;
    const action = this.host.confirming
      ? decideFailure(error, attempt, policy.retry, policy.deadLetterQueue !== undefined)
      : ({ kind: 'reject' } as const);
    // Warren's own errors explain themselves; a user's error gets its stack.
    const trace = error instanceof WarrenError ? undefined : error;
    if (action.kind === 'retry') {
      const target = action.delayMs > 0 ? delayQueueName(this.host.queueName(), action.delayMs) : this.host.queueName();
      recordRetry(this.host.queueName());
      spanEvent('warren.retry', { 'warren.attempt': action.attempt, 'warren.delay_ms': action.delayMs, 'warren.retry_queue': target });
      this.host.logger.warn(MESSAGES.retrying(name, this.host.queueName(), action.attempt, policy.retry ? policy.retry.attempts : 1, action.delayMs, errorMessage(error)));
      delivery.forwardedAs = 'retried';
      await this.forward(delivery, target, copyProperties(delivery.message, delivery.origin, retryHeaders(action.attempt, error)), delivery.message.content);
    } else if (action.kind === 'dead-letter') {
      recordDeadLetter(this.host.queueName());
      spanEvent('warren.dead_lettered', { 'warren.dead_letter_queue': policy.deadLetterQueue!, 'warren.attempts': attempt });
      if (error instanceof ReturnedNack) this.host.logger.warn(MESSAGES.nacked(name, this.host.queueName(), policy.deadLetterQueue));
      else this.host.logger.error(MESSAGES.deadLettered(name, this.host.queueName(), policy.deadLetterQueue!, attempt, policy.retry ? policy.retry.attempts : attempt, errorMessage(error)), trace);
      delivery.forwardedAs = 'dead-lettered';
      // An over-size body is not copied: the record keeps its properties, size and reason.
      const tooLarge = error instanceof MessageTooLargeError;
      const headers = { ...deadLetterHeaders(this.host.queueName(), attempt, error), ...(tooLarge ? bodyDroppedHeaders(error) : {}) };
      await this.forward(delivery, policy.deadLetterQueue!, copyProperties(delivery.message, delivery.origin, headers), tooLarge ? EMPTY_BODY : delivery.message.content);
    } else {
      if (error instanceof ReturnedNack) this.host.logger.warn(MESSAGES.nacked(name, this.host.queueName(), undefined));
      else this.host.logger.error(MESSAGES.messageRejected(name, this.host.queueName(), errorMessage(error)), trace);
      this.settle(delivery, 'reject');
    }
  }

  /** Publishes a copy to `queue`; acks the original once the copy is safely there. */
  private async forward(delivery: Delivery, queue: string, properties: Options.Publish, content: Buffer): Promise<void> {
    if (!this.owns(delivery)) return;
    const outcome = await this.host.forwarder.forward(delivery.channel, content, queue, properties);
    if (outcome === 'forwarded') {
      this.settle(delivery, 'ack');
    } else if (outcome === 'returned') {
      // Someone deleted the retry or dead-letter queue: a fresh channel declares it again and the
      // original, never acked, is delivered again.
      this.host.logger.error(MESSAGES.forwardReturned(queue, this.host.queueName()));
      if (this.host.autoAck) this.lost.report('returned', (count) => MESSAGES.autoAckNotReturned(this.host.queueName(), count));
      delivery.acks.flush();
      delivery.channel.close().catch(() => undefined);
    } else {
      // Not forwarded (the publishing connection is down, the copy was refused): a failed attempt.
      delivery.forwardedAs = undefined;
      this.settle(delivery, 'retry-requeue');
    }
  }

  /** Still Warren's to settle. With noAck a delivery stays ours when its channel closes: the broker will not send it again. */
  owns(delivery: Delivery): boolean {
    return !delivery.abandoned && (this.host.autoAck === true || this.host.isLive(delivery.channel as Channel));
  }

  /**
   * Acks are coalesced per tick (AckBatcher); rejects and returns go out at once (see `Outcome` for
   * which method each is). With noAck none is sent (the AckBatcher was told of no delivery); a
   * requeue is reported lost.
   */
  settle(delivery: Delivery, outcome: Outcome): void {
    if (!this.owns(delivery)) return;
    if (this.host.autoAck && (outcome === 'retry-requeue' || outcome === 'return')) this.lost.report('requeue', (count) => MESSAGES.autoAckNotReturned(this.host.queueName(), count));
    const tag = delivery.message.fields.deliveryTag;
    this.safely(() => sendOutcome(delivery.acks, tag, outcome));
    if (this.host.observers?.active) this.observed(delivery, outcome);
  }

  private observed(delivery: Delivery, outcome: Outcome): void {
    if (delivery.reported) return;
    delivery.reported = true;
    const settled: DeliveryOutcome = outcome === 'ack' ? (delivery.forwardedAs ?? 'acked') : OBSERVED[outcome];
    const { message, handler, error } = delivery;
    this.host.observers!.consumed({ queue: this.host.queueName(), handler, message, outcome: settled, error });
  }

  /** A channel can close between the liveness check and the call; the broker redelivers then. */
  safely(action: () => void): void {
    try {
      action();
    } catch (error) {
      this.notSettled(error as Error);
    }
  }

  notSettled(error: Error): void {
    this.host.logger.debug(MESSAGES.notSettled(this.host.queueName(), error.message));
  }
}
