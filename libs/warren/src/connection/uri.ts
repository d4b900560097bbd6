import { WarrenConfigurationError } from '../errors/configuration.error';
import { safeUri } from '../logging/redact';
import { MESSAGES } from '../warren.messages';

/** Checks every URI up front so a typo fails start-up with a clear error, not a reconnect loop. */
export function validateUris(uris: string[]): void {
  if (uris.length === 0) throw new WarrenConfigurationError(MESSAGES.invalidUri('(none)', 'no URI given'));
  for (const uri of uris) {
    let url: URL;
    try {
      url = new URL(uri);
    } catch {
      throw new WarrenConfigurationError(MESSAGES.invalidUri('(not shown)', 'it is not a URL'));
    }
    if (url.protocol !== 'amqp:' && url.protocol !== 'amqps:') {
      // Not echoed: without a known scheme we cannot tell where a password would sit in it.
      throw new WarrenConfigurationError(
        MESSAGES.invalidUri('(not shown)', `the scheme is '${url.protocol.replace(':', '')}', not amqp or amqps`),
      );
    }
    if (!url.hostname) throw new WarrenConfigurationError(MESSAGES.invalidUri(safeUri(uri), 'it names no host'));
  }
}
