import { BrokerSocketError } from '../errors/connection.error';
import { redactText, safeUri } from '../logging/redact';

/** A copy of a socket or handshake error with its identifying fields and its text redacted. */
export function socketError(error: Error): BrokerSocketError {
  const { code, errno, syscall, address, port } = error as BrokerSocketError;
  const copy: BrokerSocketError = Object.assign(new Error(redactText(error.message)), { code, errno, syscall, address, port });
  copy.name = error.name;
  return copy;
}

/** amqp-connection-manager reports the URL it connected with as given: a string or a connect-options object. */
export function nodeOf(url: unknown): string {
  if (typeof url === 'string') return safeUri(url);
  if (url && typeof url === 'object') {
    const target = 'url' in url ? (url as { url: unknown }).url : url;
    if (typeof target === 'string') return safeUri(target);
    const { protocol = 'amqp', hostname = 'localhost', port } = target as { protocol?: string; hostname?: string; port?: number };
    return `${protocol}://${hostname}${port ? `:${port}` : ''}`;
  }
  return 'unknown node';
}
