import { randomUUID } from 'crypto';
import type { Options } from 'amqplib';
import type { PublishOptions } from '../interfaces';
import { checkBoolean, checkPriority, checkShortString, toExpiration } from './amqp-values';
import { checkHeaders } from './field-table';

/** The AMQP short-string properties a caller may set. */
const SHORT_STRING_OPTIONS = ['messageId', 'correlationId', 'type', 'replyTo', 'contentType', 'contentEncoding', 'appId', 'userId'] as const;

/** Exchange and routing key: AMQP short strings (the exchange may be '' for the default exchange). */
export function checkTarget(exchange: unknown, routingKey: unknown): void {
  checkShortString('exchange', exchange, true);
  checkShortString('routingKey', routingKey, true);
}

/**
 * The amqplib properties of one `publish`, every value checked first: a value AMQP cannot carry
 * throws `InvalidMessageError` here, before amqplib could half-encode it.
 */
export function publishProperties(given: PublishOptions, contentType: string | undefined, mandatory: boolean, defaults?: PublishOptions): Options.Publish {
  if (typeof given !== 'object' || given === null) return publishProperties({}, contentType, mandatory, defaults);
  // The module's defaultPublishOptions first; the call's own options win, key by key.
  const options = defaults ? { ...defaults, ...given } : given;
  for (const name of SHORT_STRING_OPTIONS) checkShortString(`options.${name}`, options[name]);
  checkPriority('options.priority', options.priority);
  checkBoolean('options.persistent', options.persistent);
  checkBoolean('options.mandatory', options.mandatory);
  return {
    mandatory: options.mandatory ?? mandatory,
    persistent: options.persistent ?? true,
    messageId: options.messageId ?? randomUUID(),
    timestamp: Math.floor(Date.now() / 1000),
    contentType: options.contentType ?? contentType,
    contentEncoding: options.contentEncoding,
    headers: checkHeaders('headers', options.headers),
    correlationId: options.correlationId,
    expiration: toExpiration('options.expiration', options.expiration),
    priority: options.priority,
    type: options.type,
    appId: options.appId,
    userId: options.userId,
    replyTo: options.replyTo,
  };
}
