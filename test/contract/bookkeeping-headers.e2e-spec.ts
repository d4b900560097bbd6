import { Injectable } from '@nestjs/common';
import { MessageProducer, RabbitPayload, RabbitSubscribe } from 'nestjs-warren';
import { Apps, brokerCases, exchange, expiring, record, unique, waitFor } from './harness';

interface Job {
  id: string;
  /** Fail this many attempts (all of them when absent). */
  failures?: number;
}

/** Retries through broker-side delay queues (50 ms, then 100 ms). */
const FAST_RETRY = { attempts: 3, initialDelayMs: 50 };
const REQUEUE_RETRY = { attempts: 3, mode: 'requeue' } as const;

/**
 * Warren's bookkeeping headers steer a message only on Warren's own retries, which both brokers
 * must show the same way (dead-lettered from the queue's delay queue, with `x-death`).
 */
describe.each(brokerCases)("Warren's bookkeeping headers on %s", (_name, broker) => {
  const apps = new Apps(broker);
  afterEach(() => apps.closeAll());

  /** Two handlers on one queue, bound by routing key; each records the job ids it ran. */
  async function sharedQueue(retry: typeof FAST_RETRY | typeof REQUEUE_RETRY) {
    const topic = unique('jobs');
    const queue = unique('q.shared');
    const runs: Array<[string, string]> = [];
    const run = (handler: string, job: Job) => {
      runs.push([handler, job.id]);
      if (runs.filter(([, id]) => id === job.id).length <= (job.failures ?? Infinity)) throw new Error(`${handler} failed ${job.id}`);
    };
    @Injectable()
    class Shared {
      @RabbitSubscribe({ exchange: topic, routingKey: 'job.created', queue, queueOptions: expiring, retry })
      created(@RabbitPayload() job: Job) {
        run('created', job);
      }

      @RabbitSubscribe({ exchange: topic, routingKey: 'job.purge', queue, queueOptions: expiring, retry })
      purge(@RabbitPayload() job: Job) {
        run('purge', job);
      }
    }
    const app = await apps.start({ exchanges: [exchange(topic)] }, [Shared]);
    const parked = await record(app, `${queue}.dlq`);
    return { app, topic, queue, runs, parked, producer: app.get(MessageProducer) };
  }

  it("a sender's warren-original-routing-key and warren-attempt neither pick the handler nor skip retries; the parked record is true", async () => {
    const { topic, queue, runs, parked, producer } = await sharedQueue(FAST_RETRY);
    const forged = { 'warren-original-routing-key': 'job.purge', 'warren-original-exchange': 'elsewhere', 'warren-attempt': 99, 'warren-original-queue': 'elsewhere' };
    await producer.publish(topic, 'job.created', { id: 'forged' }, { headers: forged });
    await waitFor(() => parked.length === 1, 'the parked message');
    expect(runs).toEqual([['created', 'forged'], ['created', 'forged'], ['created', 'forged']]);
    expect(parked[0].headers).toMatchObject({
      'warren-attempt': 3,
      'warren-original-exchange': topic,
      'warren-original-routing-key': 'job.created',
      'warren-original-queue': queue,
    });
  });

  it('a retry through a delay queue comes back to the handler it left', async () => {
    const { topic, runs, producer } = await sharedQueue(FAST_RETRY);
    await producer.publish(topic, 'job.purge', { id: 'p1', failures: 1 });
    await waitFor(() => runs.length === 2, 'the retry');
    expect(runs).toEqual([['purge', 'p1'], ['purge', 'p1']]);
  });

  it("a retry in 'requeue' mode comes back to the handler it left", async () => {
    const { topic, runs, producer } = await sharedQueue(REQUEUE_RETRY);
    await producer.publish(topic, 'job.purge', { id: 'p2', failures: 1 });
    await waitFor(() => runs.length === 2, 'the retry');
    expect(runs).toEqual([['purge', 'p2'], ['purge', 'p2']]);
  });
});
