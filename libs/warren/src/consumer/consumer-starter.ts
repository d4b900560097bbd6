import type { BrokerConnection } from '../connection/broker-connection';
import type { QueueConsumer } from './queue-consumer';

/**
 * Starts consumers at most `concurrency` at a time. Each consumer's start timeout then measures its
 * own declare/bind/consume, not its place in a queue of thousands: with every start in flight at once,
 * 5,000 queues on a busy machine ran past the timeout while the broker was still working through them.
 * Stops starting new ones after the first failure and rejects with it once those in flight settle.
 */
export async function startConsumers(
  placed: ReadonlyArray<readonly [QueueConsumer, BrokerConnection]>,
  timeoutMs: number,
  concurrency: number,
): Promise<void> {
  let next = 0;
  let failure: { error: unknown } | undefined;
  const lane = async (): Promise<void> => {
    while (next < placed.length && failure === undefined) {
      const [consumer, connection] = placed[next++];
      try {
        await consumer.start(connection, timeoutMs);
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, placed.length) }, lane));
  if (failure) throw failure.error;
}
