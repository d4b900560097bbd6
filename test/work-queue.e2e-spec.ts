import { INestApplication, Injectable } from '@nestjs/common';
import { MessageProducer, RabbitSubscribe, WarrenModule } from 'nestjs-warren';
import { closeAll, startApp } from './support/app';
import { RawClient, unique, waitFor } from './support/broker';

/** Two services compete for one work queue with prefetch 1: fair dispatch, one task each at a time. */
describe('work queue with competing consumers (real broker)', () => {
  const queue = unique('q.tasks');
  const doneBy: Record<string, number[]> = { first: [], second: [] };
  const busy: Record<string, number> = { first: 0, second: 0 };
  const maxBusy: Record<string, number> = { first: 0, second: 0 };

  function workerModule(name: 'first' | 'second') {
    @Injectable()
    class Worker {
      @RabbitSubscribe({ queue })
      async work(task: { n: number }) {
        busy[name]++;
        maxBusy[name] = Math.max(maxBusy[name], busy[name]);
        await new Promise((resolve) => setTimeout(resolve, 20));
        doneBy[name].push(task.n);
        busy[name]--;
      }
    }
    return startApp({ imports: [WarrenModule.forRoot({ prefetch: 1 })], providers: [Worker] });
  }

  let first: INestApplication;
  let second: INestApplication;

  beforeAll(async () => {
    first = await workerModule('first');
    second = await workerModule('second');
  });

  afterAll(async () => {
    await closeAll(first, second);
    const raw = await RawClient.connect();
    await raw.deleteQueues(queue);
    await raw.close();
  });

  it('splits 40 tasks between both workers, each task done once, never two at a time per worker', async () => {
    const producer = first.get(MessageProducer);
    await Promise.all(Array.from({ length: 40 }, (_, n) => producer.publish('', queue, { n })));
    await waitFor(() => doneBy.first.length + doneBy.second.length === 40, '40 tasks done');
    const all = [...doneBy.first, ...doneBy.second].sort((a, b) => a - b);
    expect(all).toEqual(Array.from({ length: 40 }, (_, n) => n));
    expect(doneBy.first.length).toBeGreaterThanOrEqual(10);
    expect(doneBy.second.length).toBeGreaterThanOrEqual(10);
    expect(maxBusy).toEqual({ first: 1, second: 1 });
  });
});
