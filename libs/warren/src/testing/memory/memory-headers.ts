import type { Options } from 'amqplib';
import { NAMED_QUEUE_ARGUMENTS } from '../../consumer/queue-type';
import type { StoredMessage } from './memory-queue';

/** amqplib's named queue options as the `x-` arguments RabbitMQ stores. */
export function queueArguments(options: Options.AssertQueue): Record<string, unknown> {
  const args: Record<string, unknown> = { ...options.arguments };
  for (const [option, argument] of NAMED_QUEUE_ARGUMENTS) if (options[option] !== undefined) args[argument] = options[option];
  for (const key of Object.keys(args)) if (args[key] === undefined) delete args[key];
  return args;
}

/** An argument's value as RabbitMQ's "inequivalent arg" error names it. */
export const describeArgument = (value: unknown) => (value === undefined ? 'none' : `the value '${String(value)}'`);

/**
 * The `x-death` entry RabbitMQ adds (count per queue and reason), the `x-first-death-*` headers and,
 * from 3.13 (`lastDeath`), the `x-last-death-*` ones.
 */
export function withDeath(message: StoredMessage, queue: string, reason: string, lastDeath: boolean): Record<string, unknown> {
  const headers: Record<string, unknown> = { ...message.properties.headers };
  const deaths = Array.isArray(headers['x-death']) ? (headers['x-death'] as Array<Record<string, unknown>>).map((d) => ({ ...d })) : [];
  const same = deaths.find((d) => d.queue === queue && d.reason === reason);
  if (same) {
    same.count = Number(same.count ?? 0) + 1;
    deaths.splice(deaths.indexOf(same), 1);
    deaths.unshift(same);
  } else {
    deaths.unshift({ count: 1, reason, queue, time: { '!': 'timestamp', value: Math.floor(Date.now() / 1000) }, exchange: message.exchange, 'routing-keys': [message.routingKey] });
  }
  headers['x-death'] = deaths;
  headers['x-first-death-reason'] ??= reason;
  headers['x-first-death-queue'] ??= queue;
  headers['x-first-death-exchange'] ??= message.exchange;
  if (lastDeath) Object.assign(headers, { 'x-last-death-reason': reason, 'x-last-death-queue': queue, 'x-last-death-exchange': message.exchange });
  return headers;
}
