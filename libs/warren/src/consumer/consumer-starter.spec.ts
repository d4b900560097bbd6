import type { BrokerConnection } from '../connection/broker-connection';
import { startConsumers } from './consumer-starter';
import type { QueueConsumer } from './queue-consumer';

/** Pure scheduling logic: stand-in consumers whose start resolves or fails when the test says so. */
function consumers(count: number) {
  let running = 0;
  let peak = 0;
  const starts: Array<{ index: number; timeoutMs: number; finish: (error?: Error) => void }> = [];
  const placed = Array.from({ length: count }, (_, index) => {
    const consumer = {
      start: (_connection: BrokerConnection, timeoutMs: number) =>
        new Promise<void>((resolve, reject) => {
          running++;
          peak = Math.max(peak, running);
          starts.push({
            index,
            timeoutMs,
            finish: (error) => {
              running--;
              if (error) reject(error);
              else resolve();
            },
          });
        }),
    } as unknown as QueueConsumer;
    return [consumer, {} as BrokerConnection] as const;
  });
  return { placed, starts, peak: () => peak };
}

/** Lets pending promise callbacks run. */
const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('startConsumers', () => {
  it('never has more than `concurrency` starts in flight, and starts them all', async () => {
    const { placed, starts, peak } = consumers(10);
    const done = startConsumers(placed, 5_000, 3);
    for (let finished = 0; finished < 10; finished++) {
      await settle();
      starts[finished].finish();
    }
    await done;
    expect(starts.map((start) => start.index)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(starts.every((start) => start.timeoutMs === 5_000)).toBe(true);
    expect(peak()).toBe(3);
  });

  it('starts no more after a failure and rejects with that failure once those in flight settle', async () => {
    const { placed, starts } = consumers(10);
    const done = startConsumers(placed, 1_000, 2);
    let outcome: unknown = 'pending';
    done.then(
      () => (outcome = 'resolved'),
      (error: Error) => (outcome = error),
    );
    await settle();
    const failure = new Error('queue 0 refused');
    starts[0].finish(failure);
    await settle();
    expect(outcome).toBe('pending'); // queue 1 is still starting
    starts[1].finish();
    await settle();
    expect(outcome).toBe(failure);
    expect(starts).toHaveLength(2);
  });

  it('resolves at once with nothing to start', async () => {
    await expect(startConsumers([], 1_000, 100)).resolves.toBeUndefined();
  });
});
