import type { GetMessage } from 'amqplib';
import { HEADERS } from '../warren.constants';
import { reasonOf } from './dead-letters';
import type { Target } from './replay-copy';
import { escapeControls } from './terminal-text';

export interface ReplayRules {
  /** Only messages whose reason contains this text. */
  reasonContains?: string;
  /** The queues this DLQ parks messages for; a message that names another is left parked. */
  sources: string[];
  /** Publish to the exchange and routing key the message's headers record, not to its queue. */
  toOrigin?: boolean;
  /** A fixed target queue (move) instead of each message's own. */
  toQueue?: string;
}

export type Decision = { kind: 'unmatched' } | { kind: 'foreign' } | { kind: 'copy'; target: Target };

/**
 * Where a parked message's copy goes. By default back to the queue it was parked from, through
 * the default exchange — a queue it had reached once, so its sender gains nothing. The
 * `warren-original-queue` header is only believed when it names one of the DLQ's own source
 * queues: anyone whose message the broker dead-letters (a TTL, a delivery limit, a reject) keeps
 * the headers they wrote, and a forged name would let a replay write into any queue the
 * operator can. The origin exchange, which the headers also only claim, is used only when asked
 * for (`toOrigin`), after its targets were listed.
 */
export function decide(message: GetMessage, rules: ReplayRules): Decision {
  if (rules.reasonContains !== undefined && !reasonOf(message).includes(rules.reasonContains)) return { kind: 'unmatched' };
  if (rules.toQueue !== undefined) return { kind: 'copy', target: { exchange: '', routingKey: rules.toQueue } };
  const headers = (message.properties.headers ?? {}) as Record<string, unknown>;
  const named = headers[HEADERS.originalQueue];
  let source: string | undefined;
  if (named === undefined) source = rules.sources.length === 1 ? rules.sources[0] : undefined;
  else if (typeof named === 'string' && rules.sources.includes(named)) source = named;
  if (source === undefined) return { kind: 'foreign' };
  if (rules.toOrigin) {
    const exchange = headers[HEADERS.originalExchange];
    const routingKey = headers[HEADERS.originalRoutingKey];
    if (typeof exchange === 'string' && typeof routingKey === 'string') return { kind: 'copy', target: { exchange, routingKey } };
  }
  return { kind: 'copy', target: { exchange: '', routingKey: source } };
}

function targetKey(target: Target): string {
  return `${target.exchange}\u0000${target.routingKey}`;
}

export function describeTarget(target: Target): string {
  return target.exchange === ''
    ? `queue '${escapeControls(target.routingKey)}' (default exchange)`
    : `exchange '${escapeControls(target.exchange)}', routing key '${escapeControls(target.routingKey)}'`;
}

/** Distinct targets with how many messages go to each (names are at most 255 bytes each). */
export class TargetTally {
  private readonly counts = new Map<string, { target: Target; count: number }>();

  add(target: Target): void {
    const key = targetKey(target);
    const entry = this.counts.get(key);
    if (entry) entry.count++;
    else this.counts.set(key, { target, count: 1 });
  }

  has(target: Target): boolean {
    return this.counts.has(targetKey(target));
  }

  get size(): number {
    return this.counts.size;
  }

  /** One line per target, the busiest first. */
  lines(): string[] {
    return [...this.counts.values()]
      .sort((a, b) => b.count - a.count || targetKey(a.target).localeCompare(targetKey(b.target)))
      .map(({ target, count }) => `  ${describeTarget(target)}: ${count} message(s)`);
  }
}
