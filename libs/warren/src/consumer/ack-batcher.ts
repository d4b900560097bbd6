import type { Channel, Message } from 'amqplib';

/**
 * Coalesces the acks of one channel. Acks requested in the same tick go out together at the end
 * of it: the longest run of finished deliveries from the oldest outstanding one as a single
 * `basic.ack` with `multiple` set, any later finished ones (a slower handler still holds an
 * earlier tag) one by one. A `multiple` ack never covers a delivery whose handler is still
 * running, and nothing waits longer than the current tick, so a prefetch of 1 is not slowed.
 * Rejects and nacks go out at once. The broker parses one frame where it would have parsed up to `prefetch`.
 */
export class AckBatcher {
  /** Outstanding deliveries in delivery-tag order (Map keeps insertion order); true = ack requested. */
  private readonly outstanding = new Map<number, boolean>();
  private readonly requested: number[] = [];
  private scheduled = false;

  /**
   * @param channel the channel the deliveries came on (delivery tags are per channel)
   * @param isLive false once the channel has closed: its deliveries are redelivered, never settled
   * @param onError told when the channel refused an ack (it closed under us; the broker redelivers)
   */
  constructor(
    private readonly channel: Channel,
    private readonly isLive: () => boolean,
    private readonly onError: (error: Error) => void,
  ) {}

  /** Every delivery must be announced in arrival order, before it can be acked. */
  received(deliveryTag: number): void {
    this.outstanding.set(deliveryTag, false);
  }

  /** Acks at the end of this tick. */
  ack(deliveryTag: number): void {
    if (!this.outstanding.has(deliveryTag)) return;
    this.outstanding.set(deliveryTag, true);
    this.requested.push(deliveryTag);
    if (!this.scheduled) {
      this.scheduled = true;
      process.nextTick(this.flush);
    }
  }

  /**
   * `basic.reject` at once: with `requeue`, back to the queue as a failed attempt (every RabbitMQ
   * version counts it toward a quorum queue's delivery limit); without, dead-lettered or dropped.
   */
  reject(deliveryTag: number, requeue: boolean): void {
    if (!this.outstanding.delete(deliveryTag)) return;
    this.channel.reject(tagged(deliveryTag), requeue);
  }

  /**
   * `basic.nack` with requeue at once: back to the queue unprocessed (shutdown's leftovers, deliveries
   * that came after the cancel). RabbitMQ 4.3+ does not count it toward the delivery limit.
   */
  giveBack(deliveryTag: number): void {
    if (!this.outstanding.delete(deliveryTag)) return;
    this.channel.nack(tagged(deliveryTag), false, true);
  }

  /** Sends the acks requested so far. Call before closing the channel. */
  readonly flush = (): void => {
    this.scheduled = false;
    if (this.requested.length === 0) return;
    try {
      if (this.isLive()) this.sendRequested();
    } catch (error) {
      this.onError(error as Error);
    } finally {
      this.requested.length = 0;
    }
  };

  private sendRequested(): void {
    // Deleting the entry just visited is safe while iterating a Map.
    let upTo: number | undefined;
    let count = 0;
    for (const [tag, done] of this.outstanding) {
      if (!done) break;
      this.outstanding.delete(tag);
      upTo = tag;
      count++;
    }
    if (upTo !== undefined) this.channel.ack(tagged(upTo), count > 1);
    for (const tag of this.requested) {
      if (this.outstanding.delete(tag)) this.channel.ack(tagged(tag), false);
    }
  }
}

/** amqplib reads only the delivery tag of the message it is given to settle. */
function tagged(deliveryTag: number): Message {
  return { fields: { deliveryTag } } as Message;
}
