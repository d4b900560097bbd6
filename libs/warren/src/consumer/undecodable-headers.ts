import { MalformedMessageError } from '../errors/malformed-message.error';
import { MAX_HEADER_DEPTH } from '../outgoing/field-table';
import { HEADERS } from '../warren.constants';
import { MESSAGES } from '../warren.messages';

/**
 * A received message whose headers Warren will not hand to a handler: those Warren's frame guard
 * could not decode as sent (it says why in `warren-headers-undecodable`, see
 * connection/amqplib-field-decoder.ts), and those nested deeper than Warren itself ever sends
 * (whether amqplib's recursive decoder survives such a table depends on the stack left at the
 * time; parking them all keeps the outcome the same). Undefined for every other message.
 */
export function undecodableHeaders(headers: Record<string, unknown> | undefined): MalformedMessageError | undefined {
  if (!headers) return undefined;
  const marked = headers[HEADERS.headersUndecodable];
  if (marked !== undefined) return new MalformedMessageError(String(marked), 'headers');
  return nestsDeeperThan(headers, MAX_HEADER_DEPTH) ? new MalformedMessageError(MESSAGES.headersNestTooDeep(MAX_HEADER_DEPTH), 'headers') : undefined;
}

/** Iterative, so that a table deep enough to matter cannot overflow this walk either. Flat headers cost one pass. */
function nestsDeeperThan(headers: Record<string, unknown>, maxDepth: number): boolean {
  const pending: Array<[object, number]> = [];
  let current: [object, number] | undefined = [headers, 0];
  for (; current; current = pending.pop()) {
    const [container, depth] = current;
    for (const key in container) {
      const value = (container as Record<string, unknown>)[key];
      if (value === null || typeof value !== 'object' || Buffer.isBuffer(value) || value instanceof Date) continue;
      if (depth + 1 > maxDepth) return true;
      pending.push([value, depth + 1]);
    }
  }
  return false;
}
