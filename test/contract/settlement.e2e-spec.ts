import { Injectable } from '@nestjs/common';
import type { ConsumeMessage } from 'amqplib';
import { IsInt } from 'class-validator';
import { MessageProducer, Nack, NonRetryableError, RabbitHeader, RabbitPayload, RabbitRequest, RabbitSubscribe } from 'nestjs-warren';
import { Apps, brokerCases, exchange, expiring, record, throughMarker, unique, waitFor } from './harness';

interface Job {
  id: string;
}

class JobDto {
  @IsInt()
  n!: number;
}

/** Retries through broker-side delay queues (50 ms, then 100 ms). */
const FAST_RETRY = { attempts: 3, initialDelayMs: 50 };
/** Retries straight back through the queue: no delay queues to leave behind where the delay does not matter. */
const REQUEUE_RETRY = { attempts: 3, mode: 'requeue' } as const;

/** A failed message is retried, parked in `<queue>.dlq` with the reason, requeued or dropped, as its handler asks. */
describe.each(brokerCases)('settlement on %s', (_name, broker) => {
  const apps = new Apps(broker);
  afterEach(() => apps.closeAll());

  it('retries a handler that fails twice, then acks it: three attempts, one success, nothing parked', async () => {
    const queue = unique('q.flaky');
    const attempts: unknown[] = [];
    let succeeded = 0;
    @Injectable()
    class Flaky {
      @RabbitSubscribe({ queue, queueOptions: expiring, retry: FAST_RETRY })
      on(@RabbitPayload() _job: Job, @RabbitHeader('warren-attempt') attempt: unknown) {
        attempts.push(attempt);
        if (attempts.length < 3) throw new Error(`transient failure ${attempts.length}`);
        succeeded++;
      }
    }
    const app = await apps.start({}, [Flaky]);
    const parked = await record(app, `${queue}.dlq`);

    await app.get(MessageProducer).publish('', queue, { id: 'f1' });
    await waitFor(() => succeeded === 1, 'the third attempt to succeed');
    expect(attempts).toEqual([undefined, 2, 3]); // the first delivery carries no attempt header
    expect(await throughMarker(app, `${queue}.dlq`, parked)).toEqual([]);
    expect(succeeded).toBe(1);
  });

  it('parks a message that always fails in <queue>.dlq after the last attempt, with the reason in headers', async () => {
    const topic = unique('jobs');
    const queue = unique('q.doomed');
    let runs = 0;
    @Injectable()
    class Doomed {
      @RabbitSubscribe({ exchange: topic, routingKey: 'job.*', queue, queueOptions: expiring, retry: FAST_RETRY })
      on() {
        runs++;
        throw new Error('always failing');
      }
    }
    const app = await apps.start({ exchanges: [exchange(topic)] }, [Doomed]);
    const parked = await record(app, `${queue}.dlq`);

    await app.get(MessageProducer).publish(topic, 'job.run', { id: 'd1' }, { messageId: 'msg-d1', headers: { tenant: 'acme' } });
    await waitFor(() => parked.length === 1, 'the parked message');
    expect(runs).toBe(3);
    const [dead] = parked;
    expect(dead.payload).toEqual({ id: 'd1' });
    expect(dead.message.properties.messageId).toBe('msg-d1');
    expect(dead.headers).toMatchObject({
      tenant: 'acme',
      'warren-attempt': 3,
      'warren-error': 'always failing',
      'warren-error-code': 'Error',
      'warren-original-exchange': topic,
      'warren-original-routing-key': 'job.run',
      'warren-original-queue': queue,
    });
    expect(Date.parse(dead.headers['warren-first-failed-at'] as string)).toBeLessThanOrEqual(Date.parse(dead.headers['warren-dead-lettered-at'] as string));
  });

  it('parks a NonRetryableError at once, after one attempt, with its code', async () => {
    const queue = unique('q.final');
    let runs = 0;
    @Injectable()
    class Final {
      @RabbitSubscribe({ queue, queueOptions: expiring, retry: REQUEUE_RETRY })
      on() {
        runs++;
        throw new NonRetryableError('order does not exist', 'ORDER_MISSING');
      }
    }
    const app = await apps.start({}, [Final]);
    const parked = await record(app, `${queue}.dlq`);

    await app.get(MessageProducer).publish('', queue, { id: 'n1' });
    await waitFor(() => parked.length === 1, 'the parked message');
    expect(runs).toBe(1);
    expect(parked[0].headers).toMatchObject({ 'warren-attempt': 1, 'warren-error': 'order does not exist', 'warren-error-code': 'ORDER_MISSING' });
  });

  it('parks a payload that fails DTO validation at once, without running the handler, with the reason', async () => {
    const queue = unique('q.dto');
    const handled: JobDto[] = [];
    @Injectable()
    class Validated {
      @RabbitSubscribe({ queue, queueOptions: expiring, retry: REQUEUE_RETRY })
      on(job: JobDto) {
        handled.push(job);
      }
    }
    const app = await apps.start({}, [Validated]);
    const parked = await record(app, `${queue}.dlq`);
    const producer = app.get(MessageProducer);

    await producer.publish('', queue, { n: 'not a number' });
    await producer.publish('', queue, { n: 7 });
    await waitFor(() => parked.length === 1 && handled.length === 1, 'one parked, one handled');
    expect(handled[0]).toBeInstanceOf(JobDto);
    expect(handled[0].n).toBe(7);
    expect(parked[0].payload).toEqual({ n: 'not a number' });
    expect(parked[0].headers).toMatchObject({ 'warren-attempt': 1, 'warren-error-code': 'VALIDATION_FAILED' });
    expect(parked[0].headers['warren-error']).toContain('n must be an integer number');
  });

  it('puts a message back in its queue when the handler returns Nack(true); it comes back marked redelivered', async () => {
    const queue = unique('q.nack');
    const redelivered: boolean[] = [];
    @Injectable()
    class Requeuing {
      @RabbitSubscribe({ queue, queueOptions: expiring, retry: false })
      on(@RabbitPayload() _job: Job, @RabbitRequest() message: ConsumeMessage) {
        redelivered.push(message.fields.redelivered);
        if (redelivered.length === 1) return new Nack(true);
      }
    }
    const app = await apps.start({}, [Requeuing]);
    const parked = await record(app, `${queue}.dlq`);

    await app.get(MessageProducer).publish('', queue, { id: 'r1' });
    await waitFor(() => redelivered.length === 2, 'the second delivery');
    expect(redelivered).toEqual([false, true]);
    expect(await throughMarker(app, `${queue}.dlq`, parked)).toEqual([]);
  });

  it("drops a failed message silently with errorBehavior 'ACK': no retry, nothing parked", async () => {
    const queue = unique('q.ack');
    const runs: string[] = [];
    @Injectable()
    class Dropping {
      // Retries in 'requeue' mode would bring the message straight back, before the marker below:
      // that it does not come back shows errorBehavior won over the retry policy.
      @RabbitSubscribe({ queue, queueOptions: expiring, prefetch: 1, retry: REQUEUE_RETRY, errorBehavior: 'ACK' })
      on(job: Job) {
        runs.push(job.id);
        if (job.id === 'bad') throw new Error('dropped');
      }
    }
    const app = await apps.start({}, [Dropping]);
    const parked = await record(app, `${queue}.dlq`);
    const producer = app.get(MessageProducer);

    await producer.publish('', queue, { id: 'bad' });
    await waitFor(() => runs.length === 1, 'the failing delivery');
    await producer.publish('', queue, { id: 'next' });
    await waitFor(() => runs.includes('next'), 'the next message');
    expect(runs).toEqual(['bad', 'next']);
    expect(await throughMarker(app, `${queue}.dlq`, parked)).toEqual([]);
  });
});
