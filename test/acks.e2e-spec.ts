import { INestApplication, Injectable } from '@nestjs/common';
import { MessageProducer, RabbitSubscribe, WarrenModule } from 'nestjs-warren';
import { closeAll, startApp } from './support/app';
import { RawClient, unique, waitFor } from './support/broker';
import { queueCounts } from './support/chaos';

/**
 * Warren coalesces acks (one basic.ack with `multiple` for a run of finished deliveries). The
 * broker's own counts prove that a slow handler's message stays unacked while later ones are
 * acked around it, and that everything is acked once it finishes.
 */
describe('coalesced acks (real broker)', () => {
  const queue = unique('q.acks');
  const handled: number[] = [];
  let releaseSlow!: () => void;
  const slowGate = new Promise<void>((resolve) => (releaseSlow = resolve));

  @Injectable()
  class Worker {
    @RabbitSubscribe({ queue, prefetch: 20 })
    async work(task: { n: number }) {
      if (task.n === 0) await slowGate;
      handled.push(task.n);
    }
  }

  let app: INestApplication;

  beforeAll(async () => {
    app = await startApp({ imports: [WarrenModule.forRoot({})], providers: [Worker] });
  });

  afterAll(async () => {
    releaseSlow();
    await closeAll(app);
    const raw = await RawClient.connect();
    await raw.deleteQueues(queue);
    await raw.close();
  });

  it('keeps a still-running delivery unacked while later ones are acked, then acks it when it finishes', async () => {
    const producer = app.get(MessageProducer);
    for (let n = 0; n < 20; n++) await producer.publish('', queue, { n });
    await waitFor(() => handled.length === 19, '19 fast tasks handled');
    await waitFor(async () => (await queueCounts(queue)).unacked === 1, 'only the slow delivery unacked');
    expect(handled).not.toContain(0);

    releaseSlow();
    await waitFor(() => handled.length === 20, 'the slow task handled');
    await waitFor(async () => (await queueCounts(queue)).unacked === 0, 'every delivery acked');
    expect(await queueCounts(queue)).toEqual({ ready: 0, unacked: 0 });
    expect([...handled].sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, n) => n));
  });
});
