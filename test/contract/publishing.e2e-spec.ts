import { INestApplication, Injectable } from '@nestjs/common';
import { EmitFailure, MessageProducer, PublishError, RabbitSubscribe, UnroutableMessageError } from 'nestjs-warren';
import { Apps, brokerCases, exchange, transient, unique, waitFor } from './harness';

/** publish() resolves once the broker has taken the message, or rejects with a typed error; emit() is the same without waiting. */
describe.each(brokerCases)('publishing on %s', (_name, broker) => {
  const apps = new Apps(broker);
  afterEach(() => apps.closeAll());

  let topic: string;
  let received: unknown[];
  let app: INestApplication;
  let producer: MessageProducer;

  beforeEach(async () => {
    topic = unique('pub');
    received = [];
    const got = received;
    @Injectable()
    class Bound {
      @RabbitSubscribe({ ...transient, exchange: topic, routingKey: 'bound.#', queue: unique('q.pub') })
      on(message: unknown) {
        got.push(message);
      }
    }
    app = await apps.start({ exchanges: [exchange(topic)] }, [Bound]);
    producer = app.get(MessageProducer);
  });

  it('resolves once the broker confirmed the message, which is then delivered', async () => {
    await expect(producer.publish(topic, 'bound.one', { n: 1 })).resolves.toBeUndefined();
    await waitFor(() => received.length === 1, 'the delivery');
    expect(received).toEqual([{ n: 1 }]);
  });

  it('rejects with UnroutableMessageError when no queue is bound for the routing key', async () => {
    const error = (await producer.publish(topic, 'nobody.listens', { n: 2 }).catch((e: unknown) => e)) as UnroutableMessageError;
    expect(error).toBeInstanceOf(UnroutableMessageError);
    expect(error).toBeInstanceOf(PublishError);
    expect(error).toMatchObject({ exchange: topic, routingKey: 'nobody.listens', code: 'NO_ROUTE', replyCode: 312 });
  });

  it('resolves with mandatory: false although nothing is bound, and the message is dropped', async () => {
    await expect(producer.publish(topic, 'nobody.listens', { n: 'dropped' }, { mandatory: false })).resolves.toBeUndefined();
    await producer.publish(topic, 'bound.marker', { n: 'marker' });
    await waitFor(() => received.length > 0, 'the marker');
    expect(received).toEqual([{ n: 'marker' }]);
  });

  it('rejects a publish to an exchange that does not exist with PublishError NOT_FOUND, and keeps publishing afterwards', async () => {
    const missing = unique('missing');
    const error = (await producer.publish(missing, 'x', { n: 3 }).catch((e: unknown) => e)) as PublishError;
    expect(error).toBeInstanceOf(PublishError);
    expect(error).not.toBeInstanceOf(UnroutableMessageError);
    expect(error).toMatchObject({ exchange: missing, routingKey: 'x', code: 'NOT_FOUND', replyCode: 404 });
    expect(error.message).toContain(`Exchange '${missing}' does not exist`);
    expect(error.reason).toContain(missing); // RabbitMQ: "NOT_FOUND - no exchange '<name>' in vhost '/'"

    await producer.publish(topic, 'bound.after', { n: 4 });
    await waitFor(() => received.length === 1, 'the delivery after the refusal');
    expect(received).toEqual([{ n: 4 }]);
  });

  it('emit() returns at once and delivers in the background', async () => {
    expect(producer.emit(topic, 'bound.emitted', { n: 5 })).toBeUndefined();
    await waitFor(() => received.length === 1, 'the emitted message');
    expect(received).toEqual([{ n: 5 }]);
  });

  it('emit() reports a message that could not be delivered to onEmitError listeners, without throwing', async () => {
    const failures: EmitFailure[] = [];
    const unsubscribe = producer.onEmitError((failure) => failures.push(failure));
    try {
      expect(() => producer.emit(topic, 'nobody.listens', { n: 6 })).not.toThrow();
      await waitFor(() => failures.length === 1, 'the emit failure');
      expect(failures[0]).toMatchObject({ exchange: topic, routingKey: 'nobody.listens' });
      expect(failures[0].error).toBeInstanceOf(UnroutableMessageError);
    } finally {
      unsubscribe();
    }
  });
});
