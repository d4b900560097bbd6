import { BufferOverflowError } from '../errors/buffer-overflow.error';
import type { Outgoing } from './outgoing';

/**
 * Every message the producer accepted that the broker has not confirmed: waiting for a channel (in
 * order), or handed to amqplib — in its buffers or written — and awaiting its confirm. Both count
 * against the bounds, by number and by body bytes, since during a broker alarm amqplib holds what
 * it was handed. A message whose confirm timed out stays counted while it is still on its way.
 */
export class PublishBuffer {
  /** Waiting for a channel, oldest first. */
  readonly waiting: Outgoing[] = [];
  /** Handed to amqplib on the current channel, not yet confirmed (including ones already settled by a timeout). */
  readonly unconfirmed = new Set<Outgoing>();
  private bytes = 0;

  constructor(
    private readonly maxMessages: number,
    private readonly maxBytes: number,
  ) {}

  get count(): number {
    return this.waiting.length + this.unconfirmed.size;
  }

  get byteCount(): number {
    return this.bytes;
  }

  /** The error for a message of `size` bytes that would break a bound, if it would. A message alone always fits the bytes bound. */
  overflow(exchange: string, routingKey: string, size: number): BufferOverflowError | undefined {
    if (this.count >= this.maxMessages) return new BufferOverflowError(exchange, routingKey, this.maxMessages, 'messages');
    if (this.bytes > 0 && this.bytes + size > this.maxBytes) return new BufferOverflowError(exchange, routingKey, this.maxBytes, 'bytes');
    return undefined;
  }

  accept(outgoing: Outgoing): void {
    this.waiting.push(outgoing);
    this.bytes += outgoing.content.length;
  }

  /** Moves the oldest waiting message to `unconfirmed` and returns it. */
  takeNext(): Outgoing | undefined {
    const outgoing = this.waiting.shift();
    if (outgoing) this.unconfirmed.add(outgoing);
    return outgoing;
  }

  /**
   * Takes a message out, wherever it is. `unlessWritten`: a message already handed to amqplib stays
   * (and counts) until `forget` — its confirm may still come.
   */
  remove(outgoing: Outgoing, unlessWritten = false): void {
    if (unlessWritten && this.unconfirmed.has(outgoing)) return;
    if (!this.unconfirmed.delete(outgoing)) {
      const index = this.waiting.indexOf(outgoing);
      if (index < 0) return;
      this.waiting.splice(index, 1);
    }
    this.bytes -= outgoing.content.length;
  }

  /** Stops counting settled messages that are off the wire now (their late confirm came, or their channel ended). */
  forget(settled: Iterable<Outgoing>): void {
    for (const outgoing of settled) {
      if (this.unconfirmed.delete(outgoing)) this.bytes -= outgoing.content.length;
    }
  }

  /**
   * The channel is gone: forgets the unconfirmed messages already settled (timed out) and puts the
   * others back at the front of the line, in their order, ahead of anything newer; returns those.
   */
  returnUnconfirmed(): Outgoing[] {
    const all = [...this.unconfirmed];
    this.forget(all.filter((o) => o.done));
    this.unconfirmed.clear();
    const live = all.filter((o) => !o.done);
    this.waiting.unshift(...live);
    return live;
  }
}
