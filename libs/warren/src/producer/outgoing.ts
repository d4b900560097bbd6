import type { Message, Options } from 'amqplib';
import type { BrokerRefusal } from '../connection/broker-refusal';
import { describeTarget } from '../errors/describe-target';
import { PublishError } from '../errors/publish.error';
import type { WarrenLogger } from '../logging/warren-logger';
import { MESSAGES } from '../warren.messages';

/** One publish on its way: waiting for a channel, or sent and waiting for its confirm. */
export interface Outgoing {
  exchange: string;
  routingKey: string;
  content: Buffer;
  properties: Options.Publish;
  resolve(): void;
  reject(error: Error): void;
  timer: NodeJS.Timeout;
  /** Bumped on every send, so a confirm for an earlier attempt is ignored. */
  attempt: number;
  done: boolean;
  /** The broker's reply text when it returned the message as unroutable (before confirming it). */
  returned?: string;
  /** Was unconfirmed when the broker closed the channel over *some* message: sent again alone. */
  suspect: boolean;
}

/**
 * Which unconfirmed messages the broker's channel close was about: those for the exchange it
 * named, or the only one unconfirmed. None when it cannot be told (then all become suspects).
 */
function culpritsOf(refusal: BrokerRefusal, unconfirmed: Outgoing[]): Outgoing[] {
  if (refusal.exchange !== undefined && unconfirmed.some((o) => o.exchange === refusal.exchange)) {
    return unconfirmed.filter((o) => o.exchange === refusal.exchange);
  }
  return unconfirmed.length === 1 ? unconfirmed : [];
}

/**
 * The broker closed the channel over one message. Fails the culprit when it can be told — the only
 * unconfirmed message, or those for the exchange the broker named — and leaves the rest to be sent
 * again. When it cannot, they all become suspects, sent again one at a time: the one refused again
 * is then alone on its channel.
 */
export function settleRefused(refusal: BrokerRefusal, unconfirmed: Outgoing[], logger: WarrenLogger, fail: (outgoing: Outgoing, error: Error) => void): void {
  const culprits = culpritsOf(refusal, unconfirmed);
  if (culprits.length === 0) {
    if (unconfirmed.length > 0) logger.warn(MESSAGES.publishSuspects(unconfirmed.length, refusal.text));
    for (const outgoing of unconfirmed) outgoing.suspect = true;
    return;
  }
  for (const outgoing of culprits) {
    logger.warn(MESSAGES.publishRefused(describeTarget(outgoing.exchange, outgoing.routingKey), refusal.text));
    fail(outgoing, refusalError(refusal, outgoing));
  }
}

/** The culprit's error: the broker's reason, with a hint for the commonest one (a missing exchange). */
function refusalError(refusal: BrokerRefusal, outgoing: Outgoing): PublishError {
  const target = describeTarget(outgoing.exchange, outgoing.routingKey);
  const message =
    refusal.replyCode === 404 && refusal.exchange !== undefined
      ? `Exchange '${refusal.exchange}' does not exist; declare it (WarrenModule.forRoot({ exchanges })) before publishing to it`
      : `RabbitMQ refused the message for ${target}: ${refusal.text}`;
  return new PublishError(message, outgoing.exchange, outgoing.routingKey, { code: refusal.code, replyCode: refusal.replyCode, reason: refusal.text });
}

/** No confirm in time: the message was written (or about to be) and may still arrive. */
export function timeoutError(outgoing: Outgoing, timeoutMs: number): PublishError {
  const messageId = outgoing.properties.messageId;
  return new PublishError(MESSAGES.confirmTimeout(describeTarget(outgoing.exchange, outgoing.routingKey), timeoutMs, messageId), outgoing.exchange, outgoing.routingKey, {
    code: 'CONFIRM_TIMEOUT',
    outcome: 'unknown',
    messageId,
  });
}

/**
 * The unconfirmed message a basic.return is about: same messageId, exchange and routing key, not
 * already marked returned (a return arrives before its confirm).
 */
export function returnedOne(unconfirmed: Iterable<Outgoing>, message: Message): Outgoing | undefined {
  const { exchange, routingKey } = message.fields;
  for (const outgoing of unconfirmed) {
    if (
      outgoing.returned === undefined &&
      outgoing.properties.messageId === message.properties.messageId &&
      outgoing.exchange === exchange &&
      outgoing.routingKey === routingKey
    ) {
      return outgoing;
    }
  }
  return undefined;
}
