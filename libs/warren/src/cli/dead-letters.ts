import type { GetMessage } from 'amqplib';
import { HEADERS } from '../warren.constants';
import type { BrokerSession } from './broker-session';

/** Where a parked message says it came from, by Warren's headers (else the queue beside the `.dlq`). For display only. */
export function originOf(message: GetMessage, dlq: string): { exchange: string; routingKey: string } {
  const headers = message.properties.headers ?? {};
  const exchange = headers[HEADERS.originalExchange];
  const routingKey = headers[HEADERS.originalRoutingKey];
  if (typeof exchange === 'string' && typeof routingKey === 'string') return { exchange, routingKey };
  const queue = headers[HEADERS.originalQueue];
  return { exchange: '', routingKey: typeof queue === 'string' ? queue : dlq.replace(/\.dlq$/, '') };
}

export function reasonOf(message: GetMessage): string {
  const headers = message.properties.headers;
  const error = headers?.[HEADERS.error];
  if (error !== undefined) return String(error);
  // Dead-lettered by the broker itself (a quorum queue's delivery limit, a TTL, a length limit).
  const brokerReason = headers?.['x-first-death-reason'];
  if (brokerReason !== undefined) return `broker: ${String(brokerReason)} (queue ${String(headers?.['x-first-death-queue'] ?? '?')})`;
  return '(no reason recorded)';
}

export interface Parked {
  message: GetMessage;
  /** Removes the original (its copy is confirmed elsewhere). */
  ack(): void;
}

/**
 * Reads up to `count` messages of `queue` one at a time. Each stays unacknowledged on the
 * session's reader channel, so the run never reads it twice, and what is not acked goes back to
 * the queue, in its place, when the run ends (or the process dies and the broker closes the
 * channel). Only the message being handled is referenced: the CLI's memory does not grow with
 * the queue; the broker keeps the skipped messages, as it did before they were read.
 */
export async function* readParked(session: BrokerSession, queue: string, count: number): AsyncGenerator<Parked> {
  const reader = await session.reader();
  try {
    for (let i = 0; i < count; i++) {
      const message = await reader.channel.get(queue, { noAck: false });
      if (!message) return;
      yield { message, ack: () => reader.channel.ack(message) };
    }
  } finally {
    if (!reader.closed) reader.channel.nackAll(true);
  }
}
