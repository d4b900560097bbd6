import type { GetMessage, Options } from 'amqplib';
import { HEADERS } from '../warren.constants';
import { BrokerSession } from './broker-session';

/** Where a parked message came from, by Warren's headers (else the queue beside the `.dlq`). */
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

/** The properties of a replayed copy: the original's, without Warren's dead-letter headers (a fresh start). */
function replayProperties(message: GetMessage): Options.Publish {
  const { headers = {}, ...properties } = message.properties;
  const kept = Object.fromEntries(Object.entries(headers).filter(([name]) => !name.startsWith('warren-') && !/^x-(death|first-death|last-death)/.test(name)));
  return { ...properties, headers: kept, mandatory: true } as Options.Publish;
}

export interface MoveOptions {
  limit?: number;
  /** Only messages whose reason contains this text. */
  reasonContains?: string;
  /** A fixed target queue (move) instead of each message's origin (replay). */
  toQueue?: string;
  onProgress?(done: number, total: number): void;
}

/**
 * Moves parked messages one at a time: each copy is published (mandatory, confirmed) before its
 * original is acked, so an interruption at any point loses nothing (at worst one message exists
 * twice). Messages that do not match the filter are put back when the run ends.
 */
export async function moveMessages(session: BrokerSession, dlq: string, options: MoveOptions): Promise<{ moved: number; skipped: number }> {
  const total = await session.count(dlq);
  const limit = Math.min(options.limit ?? total, total);
  const skippedMessages: GetMessage[] = [];
  let moved = 0;
  for (let seen = 0; seen < total && moved < limit; seen++) {
    const message = await session.channel.get(dlq, { noAck: false });
    if (!message) break;
    if (options.reasonContains !== undefined && !reasonOf(message).includes(options.reasonContains)) {
      skippedMessages.push(message);
      continue;
    }
    const target = options.toQueue !== undefined ? { exchange: '', routingKey: options.toQueue } : originOf(message, dlq);
    await publishConfirmed(session, target.exchange, target.routingKey, message);
    session.channel.ack(message);
    moved++;
    options.onProgress?.(moved, limit);
  }
  for (const message of skippedMessages) session.channel.nack(message, false, true);
  await session.channel.waitForConfirms();
  return { moved, skipped: skippedMessages.length };
}

function publishConfirmed(session: BrokerSession, exchange: string, routingKey: string, message: GetMessage): Promise<void> {
  return new Promise((resolve, reject) => {
    let returned = false;
    const onReturn = () => (returned = true);
    session.channel.once('return', onReturn);
    session.channel.publish(exchange, routingKey, message.content, replayProperties(message), (error) => {
      session.channel.off('return', onReturn);
      if (error) reject(new Error(`The broker refused the copy for '${exchange}'/'${routingKey}'; the original stays parked`));
      else if (returned) reject(new Error(`Nothing is bound for '${exchange}'/'${routingKey}'; the original stays parked`));
      else resolve();
    });
  });
}

/** Reads up to `limit` parked messages and puts them all back (nothing is consumed). */
export async function peek(session: BrokerSession, dlq: string, limit: number): Promise<GetMessage[]> {
  await session.count(dlq);
  const taken: GetMessage[] = [];
  for (let i = 0; i < limit; i++) {
    const message = await session.channel.get(dlq, { noAck: false });
    if (!message) break;
    taken.push(message);
  }
  for (const message of taken) session.channel.nack(message, false, true);
  return taken;
}
