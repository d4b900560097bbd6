import type { ConsumeMessage } from 'amqplib';
import { mediaType } from '../codec/message-codec';
import { UnsupportedContentTypeError } from '../errors/unsupported-content-type.error';

/**
 * A handler's `accept` list, matched against each message's content type: by media type (without
 * parameters such as `charset`, case-insensitively); `'type/*'` takes every subtype of a type,
 * `'*\/*'` every message that has a content type; `''` takes a message without one, which is
 * otherwise refused (nothing says it is what the handler expects).
 */
export class ContentTypeGate {
  private readonly exact = new Set<string>();
  private readonly prefixes: string[] = [];

  constructor(
    private readonly handler: string,
    readonly accepted: readonly string[],
  ) {
    for (const entry of accepted.map(mediaType)) {
      if (entry === '*/*') this.prefixes.push('');
      else if (entry.endsWith('/*')) this.prefixes.push(entry.slice(0, -1));
      else this.exact.add(entry);
    }
  }

  accepts(message: ConsumeMessage): boolean {
    const type = mediaType(message.properties.contentType as string | undefined);
    if (this.exact.has(type)) return true;
    return type !== '' && this.prefixes.some((prefix) => type.startsWith(prefix));
  }

  /** Throws `UnsupportedContentTypeError` (never retried) for a message the handler does not take. */
  check(message: ConsumeMessage): void {
    if (!this.accepts(message)) throw new UnsupportedContentTypeError(this.handler, message.properties.contentType as string | undefined, this.accepted);
  }
}
