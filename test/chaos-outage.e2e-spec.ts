import { INestApplication, Injectable } from '@nestjs/common';
import { BufferOverflowError, MessageProducer, PublishError, RabbitSubscribe, WarrenModule } from 'nestjs-warren';
import { closeAll, startApp } from './support/app';
import { RawClient, unique, waitFor } from './support/broker';
import { restoreBroker, startBrokerApp, stopBrokerApp } from './support/chaos';

/**
 * While the broker is away, publishes wait in a bounded buffer: past the bound they fail at once,
 * past their timeout they fail with PublishError, and the ones that waited go out on reconnect.
 * Also: a broker nack (queue full, overflow reject-publish) rejects the publish.
 */
describe('chaos: publishing through an outage (real broker)', () => {
  const queue = unique('q.outage');
  const fullQueue = unique('q.full');
  const received: number[] = [];

  @Injectable()
  class Sink {
    @RabbitSubscribe({ queue })
    onMessage(payload: { n: number }) {
      received.push(payload.n);
    }
  }

  let buffered: INestApplication;
  let impatient: INestApplication;

  beforeAll(async () => {
    buffered = await startApp({
      imports: [WarrenModule.forRoot({ connection: { name: unique('outage-buffered'), reconnectDelayMs: 200 }, publish: { maxBufferedMessages: 3, timeoutMs: 60_000 } })],
      providers: [Sink],
    });
    impatient = await startApp({
      imports: [WarrenModule.forRoot({ connection: { name: unique('outage-impatient'), reconnectDelayMs: 200 }, publish: { timeoutMs: 500 } })],
    });
  });

  afterAll(async () => {
    await restoreBroker();
    await closeAll(buffered, impatient);
    const raw = await RawClient.connect();
    await raw.deleteQueues(queue, fullQueue);
    await raw.close();
  });

  it('buffers up to the bound, rejects past it at once, times out, and sends the buffered ones on reconnect', async () => {
    const producer = buffered.get(MessageProducer);
    let waiting: Array<Promise<void>> = [];
    try {
      await stopBrokerApp();
      await waitFor(() => producer.pendingCount === 0, 'nothing pending');
      waiting = [1, 2, 3].map((n) => producer.publish('', queue, { n }));
      const started = Date.now();
      const overflow = await producer.publish('', queue, { n: 4 }).catch((e: unknown) => e);
      expect(overflow).toBeInstanceOf(BufferOverflowError);
      expect(Date.now() - started).toBeLessThan(100);
      expect(producer.pendingCount).toBe(3);

      const timedOut = await impatient.get(MessageProducer).publish('', queue, { n: 5 }).catch((e: unknown) => e);
      expect(timedOut).toBeInstanceOf(PublishError);
      expect((timedOut as Error).message).toContain('not confirmed within 500 ms');
    } finally {
      await startBrokerApp();
    }
    await Promise.all(waiting);
    await waitFor(() => [1, 2, 3].every((n) => received.includes(n)), 'the three buffered messages');
    expect(received).not.toContain(4);
    expect(received).not.toContain(5);
  }, 120_000);

  it('rejects with PublishError when the broker nacks the message (queue full, reject-publish)', async () => {
    const raw = await RawClient.connect();
    try {
      await raw.channel.assertQueue(fullQueue, { durable: false, arguments: { 'x-max-length': 1, 'x-overflow': 'reject-publish' } });
      const producer = buffered.get(MessageProducer);
      await producer.publish('', fullQueue, { n: 1 });
      const error = await producer.publish('', fullQueue, { n: 2 }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(PublishError);
      expect((error as Error).message).toContain('refused');
      expect(await raw.ready(fullQueue)).toBe(1);
    } finally {
      await raw.close();
    }
  });
});
