import type { Channel, Options } from 'amqplib';
import { MessageHandlerErrorBehavior } from '../interfaces';
import type { MessageErrorHandler } from '../interfaces';

/** golevelup's ready-made error handlers, for `errorHandler` / `defaultRpcErrorHandler`. */

export const PRECONDITION_FAILED_CODE = 406;

/** Acknowledges the failed message: it is dropped. */
export const ackErrorHandler: MessageErrorHandler = (channel, message) => channel.ack(message);

/**
 * Puts the failed message back in its queue (it is delivered again at once: it can loop) as a failed
 * attempt (`basic.reject`), so a quorum queue's delivery limit stops the loop on every RabbitMQ version.
 */
export const requeueErrorHandler: MessageErrorHandler = (channel, message) => channel.reject(message, true);

/** Rejects the failed message without requeue: dropped, or dead-lettered by the queue's own DLX. */
export const defaultNackErrorHandler: MessageErrorHandler = (channel, message) => channel.nack(message, false, false);

/** The error handler golevelup uses for an `errorBehavior` (`ACK`, `NACK`, `REQUEUE`); NACK for anything else. */
export function getHandlerForLegacyBehavior(behavior: MessageHandlerErrorBehavior | string | undefined): MessageErrorHandler {
  if (behavior === MessageHandlerErrorBehavior.ACK) return ackErrorHandler;
  if (behavior === MessageHandlerErrorBehavior.REQUEUE) return requeueErrorHandler;
  return defaultNackErrorHandler;
}

/**
 * What to do when declaring a queue fails (golevelup's `assertQueueErrorHandler`); resolves with the queue name.
 */
export type AssertQueueErrorHandler = (channel: Channel, queueName: string, queueOptions: Options.AssertQueue | undefined, error: unknown) => Promise<string> | string;

/** Fails as the broker did. */
export const defaultAssertQueueErrorHandler: AssertQueueErrorHandler = (_channel, _queue, _options, error) => {
  throw error;
};

/** On 406 (declared with other arguments) deletes the queue — and the messages in it — and declares it again. */
export const forceDeleteAssertQueueErrorHandler: AssertQueueErrorHandler = async (channel, queueName, queueOptions, error) => {
  if ((error as { code?: number }).code !== PRECONDITION_FAILED_CODE) throw error;
  await channel.deleteQueue(queueName);
  return (await channel.assertQueue(queueName, queueOptions)).queue;
};

