import { INestApplication, Injectable } from '@nestjs/common';
import { RabbitSubscribe, WarrenModule } from 'nestjs-warren';
import { closeAll, startApp } from './support/app';
import { RawClient, unique, waitFor } from './support/broker';

type Item = { id: string; bad?: boolean };

/**
 * Issue 22, finding 5: one bad record must not park its whole batch. After a batch fails, its
 * messages run once more one at a time, so the good ones are handled and acked and only the bad
 * one is retried and parked.
 */
describe('batch failures are isolated to the bad record (real broker)', () => {
  const queue = unique('q.batch.isolate');
  /** Successful handler calls that included each record. */
  const successes: Record<string, number> = {};
  /** Handler calls (failed or not) and their sizes. */
  const calls: string[][] = [];

  @Injectable()
  class Importer {
    @RabbitSubscribe({ queue, retry: { attempts: 3, initialDelayMs: 50, multiplier: 1 }, batchOptions: { size: 5, timeout: 300 } })
    importAll(items: Item[]) {
      calls.push(items.map((item) => item.id));
      if (items.some((item) => item.bad)) throw new Error('record bad is invalid');
      for (const item of items) successes[item.id] = (successes[item.id] ?? 0) + 1;
    }
  }

  let raw: RawClient;
  let app: INestApplication;

  beforeAll(async () => {
    raw = await RawClient.connect();
    app = await startApp({ imports: [WarrenModule.forRoot({ logger: false, prefetch: 5 })], providers: [Importer] });
  });

  afterAll(async () => {
    await closeAll(app);
    await raw.deleteQueues(queue);
    await raw.channel.deleteQueue(`${queue}.retry.50ms`).catch(() => undefined);
    await raw.close();
  });

  it('4 good and 1 bad: the good ones are handled once each, the bad one alone is retried and parked', async () => {
    const items: Item[] = [{ id: 'g1' }, { id: 'g2' }, { id: 'bad', bad: true }, { id: 'g3' }, { id: 'g4' }];
    for (const item of items) raw.channel.publish('', queue, Buffer.from(JSON.stringify(item)), { contentType: 'application/json', messageId: item.id });
    await raw.channel.waitForConfirms();
    await waitFor(async () => (await raw.ready(`${queue}.dlq`).catch(() => 0)) === 1, 'the bad record parked');
    const parked = await raw.drain(`${queue}.dlq`);
    expect(parked.map((m) => (JSON.parse(m.content.toString()) as Item).id)).toEqual(['bad']);
    expect(parked[0].properties.headers!['warren-attempt']).toBe(3);
    expect(String(parked[0].properties.headers!['warren-error'])).toContain('record bad is invalid');
    expect(successes).toEqual({ g1: 1, g2: 1, g3: 1, g4: 1 });
    expect(calls[0]).toHaveLength(5); // it was one batch first
    // The bad record's retries run it alone: no good record is in a call after the isolation.
    const afterFirst = calls.slice(1).filter((call) => call.includes('bad'));
    expect(afterFirst.every((call) => call.length === 1)).toBe(true);
    await waitFor(async () => (await raw.ready(queue)) === 0, 'the queue empty');
  });
});
