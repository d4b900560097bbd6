import { WarrenConfigurationError } from '../errors/configuration.error';
import { safeUri } from '../logging/redact';
import type { ResolvedWarrenOptions } from '../warren-options';
import { MESSAGES } from '../warren.messages';

/** The URIs of `uris` that are not `amqps://` (scheme case and leading blanks as URL parsing allows). */
function plaintextUris(uris: string[]): string[] {
  return uris.filter((uri) => !/^\s*amqps:/i.test(uri));
}

/** True when some URIs use TLS and others do not: a connection may fall back to plaintext. */
function mixesSchemes(uris: string[]): boolean {
  const plain = plaintextUris(uris).length;
  return plain > 0 && plain < uris.length;
}

/**
 * Refuses a failover list that mixes `amqps://` and `amqp://` URIs, unless `allowed`: amqp-connection-
 * manager moves on to the next URI when one fails, so a TLS outage would silently send the
 * credentials and every message in clear. The refusal names the plaintext URIs without passwords.
 */
export function checkPlaintextFallback(uris: string[], allowed: unknown): void {
  if (typeof allowed !== 'boolean') throw new WarrenConfigurationError(MESSAGES.notABoolean('connection.allowPlaintextFallback', allowed));
  if (!allowed && mixesSchemes(uris)) throw new WarrenConfigurationError(MESSAGES.plaintextFallback(plaintextUris(uris).map(safeUri).join(', ')));
}

/**
 * What start-up warns about: certificate checks turned off (Warren's `connection.tls` or golevelup's
 * pass-through `connectionOptions`, the former winning as it does in the connection), and an allowed
 * plaintext fallback.
 */
export function transportWarnings(options: ResolvedWarrenOptions): string[] {
  const warnings: string[] = [];
  const { tls, allowPlaintextFallback } = options.connection;
  const passThrough = options.golevelup.connectionManagerOptions?.connectionOptions as { rejectUnauthorized?: unknown } | undefined;
  const rejectUnauthorized = 'rejectUnauthorized' in tls ? tls.rejectUnauthorized : passThrough?.rejectUnauthorized;
  if (rejectUnauthorized === false) warnings.push(MESSAGES.tlsUnverified);
  if (allowPlaintextFallback && mixesSchemes(options.uris)) warnings.push(MESSAGES.plaintextFallbackAllowed(plaintextUris(options.uris).map(safeUri).join(', ')));
  return warnings;
}
