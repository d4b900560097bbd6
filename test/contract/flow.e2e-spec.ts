import { INestApplication, Injectable } from '@nestjs/common';
import { MessageProducer, RabbitSubscribe, WarrenConsumers } from 'nestjs-warren';
import { Apps, Gate, Received, brokerCases, expiring, record, throughMarker, transient, unique, waitFor } from './harness';

interface Job {
  n: number;
}

/** How many deliveries a consumer holds, in which order they come, and what app.close() does with one in flight. */
describe.each(brokerCases)('flow on %s', (_name, broker) => {
  const apps = new Apps(broker);
  const gates: Gate[] = [];
  afterEach(async () => {
    gates.splice(0).forEach((gate) => gate.open()); // first: a blocked handler would hold the drain
    await apps.closeAll();
  });

  function gate(): Gate {
    const created = new Gate();
    gates.push(created);
    return created;
  }

  /** A queue that round trips go through: a marker that made it across shows the broker has done the work queued before it. */
  async function barrier(app: INestApplication): Promise<() => Promise<void>> {
    const queue = unique('q.barrier');
    const received: Received[] = await record(app, queue, { queueOptions: { autoDelete: true } });
    return async () => {
      for (let i = 0; i < 3; i++) await throughMarker(app, queue, received);
    };
  }

  it('prefetch: with prefetch 2 exactly 2 of 5 messages are in flight until released, then all 5 are handled', async () => {
    const queue = unique('q.prefetch');
    const release = gate();
    let inFlight = 0;
    let maxInFlight = 0;
    const handled: number[] = [];
    @Injectable()
    class Blocking {
      @RabbitSubscribe({ ...transient, queue, prefetch: 2 })
      async on(job: Job) {
        maxInFlight = Math.max(maxInFlight, ++inFlight);
        await release.opened;
        inFlight--;
        handled.push(job.n);
      }
    }
    const app = await apps.start({}, [Blocking]);
    const settle = await barrier(app);
    const producer = app.get(MessageProducer);

    for (let n = 1; n <= 5; n++) await producer.publish('', queue, { n });
    await waitFor(() => inFlight >= 2, 'two deliveries in flight');
    await settle(); // the broker had every chance to deliver a third
    expect(inFlight).toBe(2);
    expect(app.get(WarrenConsumers).list().find((c) => c.queue === queue)?.inFlight).toBe(2);

    release.open();
    await waitFor(() => handled.length === 5, 'all five handled');
    expect(handled.sort()).toEqual([1, 2, 3, 4, 5]);
    expect(maxInFlight).toBe(2);
  });

  it('order: with prefetch 1 one queue delivers in publish order', async () => {
    const queue = unique('q.order');
    const handled: number[] = [];
    @Injectable()
    class InOrder {
      @RabbitSubscribe({ ...transient, queue, prefetch: 1 })
      async on(job: Job) {
        await Promise.resolve();
        handled.push(job.n);
      }
    }
    const app = await apps.start({}, [InOrder]);
    const producer = app.get(MessageProducer);

    for (let n = 1; n <= 20; n++) await producer.publish('', queue, { n });
    await waitFor(() => handled.length === 20, 'twenty handled');
    expect(handled).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
  });

  it('app.close() waits for an in-flight handler, whose message is then acked: a new app on the queue does not get it again', async () => {
    // The queue outlives the first app; the broker removes it a minute after its last consumer left.
    const handler = { queue: unique('q.drain'), retry: false, deadLetterQueue: false, queueOptions: expiring } as const;
    const release = gate();
    const events: string[] = [];
    const firstApp: number[] = [];
    @Injectable()
    class Slow {
      @RabbitSubscribe(handler)
      async on(job: Job) {
        firstApp.push(job.n);
        await release.opened;
        events.push('handler finished');
      }
    }
    const observer = await apps.start(); // publishes, and measures broker round trips while the first app closes
    const settle = await barrier(observer);
    const app = await apps.start({ shutdown: { drainTimeoutMs: 5_000 } }, [Slow]);
    const consumers = app.get(WarrenConsumers);

    await observer.get(MessageProducer).publish('', handler.queue, { n: 1 });
    await waitFor(() => firstApp.length === 1, 'the delivery in flight');
    const closing = apps.close(app).then(() => events.push('app closed'));
    await waitFor(() => consumers.list().every((c) => !c.attached), 'the consumer to be cancelled');
    await settle(); // time enough for close() to finish, had it not waited for the handler
    expect(events).toEqual([]);

    release.open();
    await closing;
    expect(events).toEqual(['handler finished', 'app closed']);

    const secondApp: number[] = [];
    @Injectable()
    class Fresh {
      @RabbitSubscribe(handler)
      on(job: Job) {
        secondApp.push(job.n);
      }
    }
    const next = await apps.start({}, [Fresh]);
    await next.get(MessageProducer).publish('', handler.queue, { n: 2 });
    await waitFor(() => secondApp.includes(2), 'the marker in the new app');
    expect(secondApp).toEqual([2]);
    expect(firstApp).toEqual([1]);
  });
});
