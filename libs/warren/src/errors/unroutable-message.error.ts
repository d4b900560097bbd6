import { describeTarget } from './describe-target';
import { PublishError } from './publish.error';

/**
 * The broker returned the message: no queue is bound for its routing key (the exchange exists).
 * Bind a queue, start the consuming service, or publish with `mandatory: false` to allow drops.
 */
export class UnroutableMessageError extends PublishError {
  constructor(exchange: string, routingKey: string, replyText?: string) {
    super(
      `No queue is bound for ${describeTarget(exchange, routingKey)}${replyText ? ` (${replyText})` : ''}; the message was returned, not delivered`,
      exchange,
      routingKey,
      { code: 'NO_ROUTE', replyCode: 312, reason: replyText },
    );
  }
}
