import type { Channel, ConsumeMessage } from 'amqplib';

/** What a failing handler's message gets when the handler asked for golevelup's behaviour. */
export enum MessageHandlerErrorBehavior {
  /** Acknowledge: the message is dropped. */
  ACK = 'ACK',
  /** Failed for good: parked in the dead-letter queue (or rejected into the queue's own DLX). */
  NACK = 'NACK',
  /**
   * Back to the queue at once (delivered again immediately: it can loop) as a failed attempt
   * (`basic.reject`): on a quorum queue its delivery limit stops the loop, on every RabbitMQ version.
   */
  REQUEUE = 'REQUEUE',
}

/**
 * Settles a failed message itself: call `channel.ack(message)`, `channel.nack(message, false, requeue)`
 * or `channel.reject(message, requeue)` (Warren routes these to its own bookkeeping), or publish a
 * reply with `channel.publish`. If it throws, Warren's own failure handling takes over. A requeue
 * by either method goes to the broker as `basic.reject`: a failed attempt, which a quorum queue's
 * delivery limit counts on every RabbitMQ version (4.3 does not count `basic.nack`).
 */
 
export type MessageErrorHandler = (channel: Channel, message: ConsumeMessage, error: any) => void | Promise<void>;

/** Turns a message body into the handler's payload (replaces decoding by content type). */
export type MessageDeserializer = (content: Buffer, message: ConsumeMessage) => unknown;

/** Turns a published value (anything but a Buffer) into the message body. */
export type MessageSerializer = (value: unknown) => Buffer;
