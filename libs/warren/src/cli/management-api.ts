import { redactText } from '../logging/redact';
import { MESSAGES } from '../warren.messages';
import type { AmqpTarget } from './amqp-url';
import { CommandFailedError, UsageError } from './cli-errors';
import { escapeControls } from './terminal-text';

/** The few management HTTP API calls the CLI needs (listing queues has no AMQP equivalent). */
export interface QueueInfo {
  name: string;
  vhost: string;
  messages: number;
  /** Seconds since epoch of the oldest message, when the broker knows it. */
  head_message_timestamp?: number;
}

export interface ManagementTarget {
  /** The API's base URL without credentials (safe to print). */
  base: string;
  /** Where the base came from: `--management-url`, `WARREN_MANAGEMENT_URL`, or the AMQP URL. */
  source: string;
  authorization: string;
  vhost: string;
  /** Whether the base text carried a password of its own. */
  hasPassword: boolean;
  /** The password sent (to be kept out of output). */
  password: string;
}

/**
 * The management API for an AMQP target: `--management-url`, else WARREN_MANAGEMENT_URL, else
 * http(s)://<AMQP host>:15672. Credentials given as user-info in the base are taken out of the
 * URL (fetch refuses them, and its error would echo them) into a Basic `Authorization` header;
 * without them, the AMQP URL's are used.
 */
export function managementTarget(amqp: AmqpTarget, option: string | undefined, env: string | undefined): ManagementTarget {
  const [text, source] =
    option !== undefined ? [option, '--management-url'] : env ? [env, 'WARREN_MANAGEMENT_URL'] : [`${amqp.tls ? 'https' : 'http'}://${amqp.hostname}:15672`, 'from the AMQP URL'];
  let url: URL;
  let credentials = { username: amqp.username, password: amqp.password };
  try {
    url = new URL(text);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error('not http');
    if (url.username || url.password) credentials = { username: decodeURIComponent(url.username), password: decodeURIComponent(url.password) };
  } catch {
    throw new UsageError(MESSAGES.cliManagementUrlNotParsable(source));
  }
  const hasPassword = url.password !== '';
  url.username = '';
  url.password = '';
  url.search = '';
  url.hash = '';
  return {
    base: url.toString().replace(/\/$/, ''),
    source,
    authorization: `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64')}`,
    vhost: amqp.vhost,
    hasPassword,
    password: credentials.password,
  };
}

export async function listQueues(target: ManagementTarget): Promise<QueueInfo[]> {
  const base = escapeControls(target.base);
  let response: Response;
  try {
    response = await fetch(`${target.base}/api/queues/${encodeURIComponent(target.vhost)}?columns=name,vhost,messages,head_message_timestamp`, {
      headers: { authorization: target.authorization },
      signal: AbortSignal.timeout(10_000),
    });
  } catch (error) {
    const cause = (error as Error & { cause?: Error }).cause?.message;
    throw new CommandFailedError(
      `Cannot reach the RabbitMQ management API at ${base} (${target.source}: ${escapeControls(redactText(cause ?? (error as Error).message))}). ` +
        'Listing queues needs the management plugin: rabbitmq-plugins enable rabbitmq_management (or set --management-url / WARREN_MANAGEMENT_URL).',
    );
  }
  if (!response.ok) {
    await response.body?.cancel().catch(() => undefined);
    throw new CommandFailedError(MESSAGES.cliManagementRefused(base, target.source, response.status));
  }
  try {
    return (await response.json()) as QueueInfo[];
  } catch {
    throw new CommandFailedError(`The management API at ${base} (${target.source}) did not answer with JSON (is it the management API?)`);
  }
}
