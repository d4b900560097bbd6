import type { RequestOptions, RequestProperties } from '../interfaces';
import { checkBoolean, checkPriority, checkShortString } from '../outgoing/amqp-values';

const SHORT_STRINGS = ['messageId', 'type', 'appId', 'userId', 'contentType', 'contentEncoding'] as const;

/**
 * The AMQP properties a request sets itself, each checked (a value AMQP cannot carry throws
 * `InvalidMessageError` naming `options.<field>`); undefined when it sets none, the usual case.
 */
export function requestProperties(options: RequestOptions): RequestProperties | undefined {
  let properties: RequestProperties | undefined;
  for (const name of SHORT_STRINGS) {
    if (options[name] === undefined) continue;
    checkShortString(`options.${name}`, options[name]);
    (properties ??= {})[name] = options[name];
  }
  if (options.priority !== undefined) {
    checkPriority('options.priority', options.priority);
    (properties ??= {}).priority = options.priority;
  }
  if (options.persistent !== undefined) {
    checkBoolean('options.persistent', options.persistent);
    (properties ??= {}).persistent = options.persistent;
  }
  return properties;
}
