import { Injectable } from '@nestjs/common';
import type { Channel, ConsumeMessage } from 'amqplib';
import { MessageErrorHandler, MessageProducer, Nack, RabbitSignal, RabbitSubscribe, WarrenConsumers } from 'nestjs-warren';
import { Apps, Gate, atLeast, brokerCases, record, unique, waitFor } from './harness';

type Requeue = 'Nack(true)' | "errorBehavior: 'REQUEUE'" | 'errorHandler requeue';

/** How each way of sending a failed message back for another try looks in a handler. */
const REQUEUES: Array<[Requeue]> = [['Nack(true)'], ["errorBehavior: 'REQUEUE'"], ['errorHandler requeue']];

const requeueWithNack: MessageErrorHandler = (channel: Channel, message: ConsumeMessage) => channel.nack(message, false, true);

/**
 * What counts toward a quorum queue's delivery limit. RabbitMQ 4.3 stopped counting `basic.nack`
 * with requeue (reject, a lost channel or connection still count), so Warren sends a failed message
 * back with `basic.reject` and uses `basic.nack` only for what it returns unprocessed: each holds on
 * every version, read from the broker where the headers differ.
 */
describe.each(brokerCases)('delivery counting on %s', (_name, broker) => {
  const apps = new Apps(broker);
  afterEach(() => apps.closeAll());

  it.each(REQUEUES)('stops a message sent back forever with %s at the delivery limit', async (how) => {
    const queue = unique('q.requeued');
    let runs = 0;
    const options = { queue, queueType: 'quorum', deliveryLimit: 1, retry: false } as const;
    @Injectable()
    class ByNack {
      @RabbitSubscribe(options)
      on() {
        runs++;
        return new Nack(true);
      }
    }
    @Injectable()
    class ByBehavior {
      @RabbitSubscribe({ ...options, errorBehavior: 'REQUEUE' })
      on() {
        runs++;
        throw new Error('always failing');
      }
    }
    @Injectable()
    class ByErrorHandler {
      @RabbitSubscribe({ ...options, errorHandler: requeueWithNack })
      on() {
        runs++;
        throw new Error('always failing');
      }
    }
    const handler = { 'Nack(true)': ByNack, "errorBehavior: 'REQUEUE'": ByBehavior, 'errorHandler requeue': ByErrorHandler }[how];
    const app = await apps.start({}, [handler]);
    const parked = await record(app, `${queue}.dlq`, { queueType: 'quorum' });
    await app.get(MessageProducer).publish('', queue, { id: 'again' });
    await waitFor(() => parked.length === 1, 'the message parked at the delivery limit');
    expect(runs).toBe(2); // delivered, returned once (the limit), then past it
    expect(parked[0].headers['x-first-death-reason']).toBe('delivery_limit');
  });

  it('never drops a message parked in a quorum .dlq, however often it is read and put back', async () => {
    const queue = unique('q.parks');
    @Injectable()
    class Failing {
      @RabbitSubscribe({ queue, queueType: 'quorum', retry: false })
      on() {
        throw new Error('parked at once');
      }
    }
    const app = await apps.start({}, [Failing]);
    // Past RabbitMQ 4.0's default limit of 20 for a quorum queue declared without one.
    const READS = 25;
    let reads = 0;
    let kept = false;
    await app.get(WarrenConsumers).add({ type: 'subscribe', queue: `${queue}.dlq`, queueType: 'quorum', retry: false, deadLetterQueue: false }, () => {
      reads++;
      if (reads < READS) return new Nack(true);
      kept = true;
      return undefined;
    });
    await app.get(MessageProducer).publish('', queue, { id: 'parked' });
    await waitFor(() => kept, `the parked message read ${READS} times`);
    expect(reads).toBe(READS);
  });

  it('gives back a delivery its handler still holds at shutdown unprocessed: not a failed attempt on RabbitMQ 4.3', async () => {
    const queue = unique('q.returned');
    const started = new Gate();
    @Injectable()
    class Slow {
      @RabbitSubscribe({ queue, queueType: 'quorum', retry: false, deadLetterQueue: false })
      async on(@RabbitSignal() signal: AbortSignal) {
        started.open();
        await new Promise((resolve) => signal.addEventListener('abort', resolve));
      }
    }
    const first = await apps.start({ shutdown: { drainTimeoutMs: 50 } }, [Slow]);
    await first.get(MessageProducer).publish('', queue, { id: 'unfinished' });
    await started.opened;
    await apps.close(first);

    const second = await apps.start();
    const again = await record(second, queue, { queueType: 'quorum', deadLetterQueue: false });
    await waitFor(() => again.length === 1, 'the returned message delivered again');
    expect(again[0].payload).toEqual({ id: 'unfinished' });
    expect(again[0].message.fields.redelivered).toBe(true);
    if (atLeast(second, 4, 3)) {
      expect(again[0].headers['x-delivery-count']).toBeUndefined();
      expect(again[0].headers['x-acquired-count']).toBe(1);
    } else {
      expect(again[0].headers['x-delivery-count']).toBe(1);
      expect(again[0].headers['x-acquired-count']).toBeUndefined();
    }
  });
});
