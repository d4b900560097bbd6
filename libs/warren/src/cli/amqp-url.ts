import type { Options } from 'amqplib';
import { safeUri } from '../logging/redact';
import { MESSAGES } from '../warren.messages';
import { UsageError } from './cli-errors';

/** An AMQP URL, parsed once: amqplib gets the parts, so no second parser can read the text differently. */
export interface AmqpTarget {
  connect: Options.Connect;
  /** The URL with its password as `***`. */
  printable: string;
  username: string;
  password: string;
  /** Whether the text carried a password (as opposed to none, which means guest/guest). */
  hasPassword: boolean;
  hostname: string;
  tls: boolean;
  vhost: string;
}

/**
 * Parses an amqp(s) URL. What cannot be parsed is never echoed, not even in part: a password
 * holding an unencoded `#`, `/` or `?` ends the host part early, and the rest of the URL (the
 * password's tail among it) would otherwise show up as a host name or vhost in the error.
 * An `@` after the host part is taken for such a password and refused the same way.
 */
export function parseAmqpUrl(text: string, source: string): AmqpTarget {
  const notParsable = () => new UsageError(MESSAGES.cliUrlNotParsable(source));
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw notParsable();
  }
  if ((url.protocol !== 'amqp:' && url.protocol !== 'amqps:') || !url.hostname || /@/.test(url.pathname + url.search + url.hash)) throw notParsable();
  const rawVhost = url.pathname.slice(1);
  let username: string;
  let password: string;
  let vhost: string;
  try {
    username = decodeURIComponent(url.username);
    password = decodeURIComponent(url.password);
    vhost = rawVhost ? decodeURIComponent(rawVhost) : '/';
  } catch {
    throw notParsable();
  }
  const query = url.searchParams;
  const int = (name: string) => (query.has(name) ? Number.parseInt(query.get(name)!, 10) : undefined);
  const credentials = url.username || url.password ? { username, password } : { username: 'guest', password: 'guest' };
  return {
    connect: {
      protocol: url.protocol.slice(0, -1),
      hostname: url.hostname.replace(/^\[|\]$/g, ''),
      port: url.port ? Number(url.port) : undefined,
      ...credentials,
      // amqplib unescapes the vhost itself.
      vhost: rawVhost || undefined,
      heartbeat: int('heartbeat'),
      frameMax: int('frameMax'),
      locale: query.get('locale') ?? undefined,
      ...(query.has('channelMax') ? { channelMax: int('channelMax') } : {}),
    },
    printable: safeUri(text),
    ...credentials,
    hasPassword: url.password !== '',
    hostname: url.hostname,
    tls: url.protocol === 'amqps:',
    vhost,
  };
}
