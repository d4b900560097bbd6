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
    checkTuning(uri, url.searchParams);
  }
}

/** amqplib's client default for `frameMax` (what it proposes to the broker). */
const AMQPLIB_FRAME_MAX = 131_072;
/** AMQP's smallest frame size, and the smallest `maxFrameSize` amqplib 2.3 takes. */
const FRAME_MIN_SIZE = 4_096;

/**
 * The tuning amqplib 2.x reads from a URI's query, checked so that a bad value fails start-up here
 * instead of every connect attempt failing until the connect timeout: `heartbeat` (seconds; 0 turns
 * heartbeats off in amqplib 2.x), `frameMax`, and `maxFrameSize` (amqplib 2.3's limit on frames it
 * accepts; one below `frameMax` would let the broker send frames amqplib refuses, closing the connection).
 */
function checkTuning(uri: string, query: URLSearchParams): void {
  const whole = (name: string): number | undefined => {
    const value = query.get(name);
    if (value === null) return undefined;
    if (!/^\d+$/.test(value)) throw new WarrenConfigurationError(MESSAGES.invalidUri(safeUri(uri), MESSAGES.uriTuningNotWhole(name, value)));
    return Number(value);
  };
  whole('heartbeat');
  const frameMax = whole('frameMax') ?? AMQPLIB_FRAME_MAX;
  const maxFrameSize = whole('maxFrameSize');
  if (frameMax !== 0 && frameMax < FRAME_MIN_SIZE) throw new WarrenConfigurationError(MESSAGES.invalidUri(safeUri(uri), MESSAGES.frameMaxTooSmall(frameMax, FRAME_MIN_SIZE)));
  if (maxFrameSize === undefined || maxFrameSize === 0) return;
  if (maxFrameSize < FRAME_MIN_SIZE || frameMax === 0 || maxFrameSize < frameMax) {
    throw new WarrenConfigurationError(MESSAGES.invalidUri(safeUri(uri), MESSAGES.maxFrameSizeTooSmall(maxFrameSize, frameMax, FRAME_MIN_SIZE)));
  }
}
