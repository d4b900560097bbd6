import { INestApplication, Injectable } from '@nestjs/common';
import { MessageProducer, RabbitSubscribe, WarrenModule } from 'nestjs-warren';
import { closeAll, startApp } from './support/app';
import { RawClient, unique, waitFor } from './support/broker';
import { closeConnections, restoreBroker, startBrokerApp, stopBrokerApp } from './support/chaos';

/**
 * Chaos: connections force-closed while 10,000 messages flow, and the broker application
 * stopped and started mid-run. Promise under test: every message whose publish() resolved is
 * received at least once. Duplicates are allowed (at-least-once) and reported.
 */
describe('chaos: broker-side failures (real broker)', () => {
  const queues: string[] = [];

  afterAll(async () => {
    await restoreBroker();
    const client = await RawClient.connect();
    await client.deleteQueues(...queues);
    await client.close();
  });

  /** A producer app and a consumer app whose connection names start with `prefix`. */
  async function pair(prefix: string, queue: string, received: Map<number, number>) {
    @Injectable()
    class Sink {
      @RabbitSubscribe({ queue, prefetch: 200 })
      onMessage(payload: { n: number }) {
        received.set(payload.n, (received.get(payload.n) ?? 0) + 1);
      }
    }
    const options = { reconnectDelayMs: 200 };
    const consumer = await startApp({
      imports: [WarrenModule.forRoot({ connection: { ...options, name: `${prefix}-sub` } })],
      providers: [Sink],
    });
    const producer = await startApp({
      imports: [WarrenModule.forRoot({ connection: { ...options, name: `${prefix}-pub` }, publish: { timeoutMs: 60_000 } })],
    });
    return { consumer, producer };
  }

  /**
   * Publishes 0, 1, 2, ... with `window` in flight until `total` were sent or `more()` says stop;
   * returns the numbers whose publish resolved, with when each resolved.
   */
  async function publishAll(
    app: INestApplication,
    queue: string,
    total: number,
    window: number,
    onProgress: (done: number) => void,
    more: () => boolean = () => true,
  ) {
    const producer = app.get(MessageProducer);
    const confirmed: number[] = [];
    const confirmedAt: number[] = [];
    let failed = 0;
    let next = 0;
    const worker = async () => {
      while (next < total && more()) {
        const n = next++;
        try {
          await producer.publish('', queue, { n, pad: 'x'.repeat(200) });
          confirmed.push(n);
          confirmedAt.push(Date.now());
        } catch {
          failed++;
        }
        onProgress(confirmed.length + failed);
      }
    };
    await Promise.all(Array.from({ length: window }, worker));
    return { confirmed, confirmedAt, failed, sent: next };
  }

  it('loses no confirmed message while every client connection is force-closed five times', async () => {
    const prefix = unique('chaos1');
    const queue = unique('q.chaos1');
    queues.push(queue);
    const received = new Map<number, number>();
    const { consumer, producer } = await pair(prefix, queue, received);
    let apps: INestApplication[] = [consumer, producer];
    try {
      const total = 10_000;
      const closes: Promise<number>[] = [];
      const thresholds = [1_000, 3_000, 5_000, 7_000, 9_000];
      const started = Date.now();
      const { confirmed, failed } = await publishAll(producer, queue, total, 20, (done) => {
        if (thresholds.length && done >= thresholds[0]) {
          thresholds.shift();
          closes.push(closeConnections(prefix));
        }
      });
      const closed = await Promise.all(closes);
      await waitFor(() => confirmed.every((n) => received.has(n)), 'every confirmed message received', 60_000);
      const duplicates = [...received.values()].reduce((sum, count) => sum + count - 1, 0);
      process.stdout.write(
        `chaos 1: sent ${total}, confirmed ${confirmed.length}, failed ${failed}, received ${received.size} distinct, ` +
          `duplicates ${duplicates}, connections closed ${closed.join('+')}, ${Date.now() - started} ms\n`,
      );
      expect(closes).toHaveLength(5);
      expect(closed.reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(5);
      expect(failed).toBe(0);
      expect(confirmed).toHaveLength(total);
      expect(confirmed.filter((n) => !received.has(n))).toEqual([]);
    } finally {
      await closeAll(...apps);
      apps = [];
    }
  }, 180_000);

  it('resumes by itself after the broker application is stopped and started, losing nothing confirmed', async () => {
    const prefix = unique('chaos2');
    const queue = unique('q.chaos2');
    queues.push(queue);
    const received = new Map<number, number>();
    const { consumer, producer } = await pair(prefix, queue, received);
    try {
      // Keep publishing through the outage until 1,000 more were confirmed after it (bounded: 60,000).
      const total = 60_000;
      let outage: Promise<void> | undefined;
      let downAt = 0;
      let upAt = 0;
      let doneAtUp = 0;
      let done = 0;
      const { confirmed, confirmedAt, failed, sent } = await publishAll(producer, queue, total, 10, (count) => {
        done = count;
        if (upAt && !doneAtUp) doneAtUp = count;
        if (!outage && count >= 1_000) {
          outage = (async () => {
            downAt = Date.now();
            await stopBrokerApp();
            await new Promise((resolve) => setTimeout(resolve, 1_000)); // a real outage, not a blip
            await startBrokerApp();
            upAt = Date.now();
          })();
        }
      }, () => !doneAtUp || done < doneAtUp + 1_000);
      await outage;
      await waitFor(() => confirmed.every((n) => received.has(n)), 'every confirmed message received', 60_000);
      // The outage shows as the longest pause between two confirms.
      let resumeIndex = 1;
      for (let i = 1; i < confirmedAt.length; i++) {
        if (confirmedAt[i] - confirmedAt[i - 1] > confirmedAt[resumeIndex] - confirmedAt[resumeIndex - 1]) resumeIndex = i;
      }
      const pause = confirmedAt[resumeIndex] - confirmedAt[resumeIndex - 1];
      const duplicates = [...received.values()].reduce((sum, count) => sum + count - 1, 0);
      process.stdout.write(
        `chaos 2: sent ${sent}, confirmed ${confirmed.length}, failed ${failed}, received ${received.size} distinct, ` +
          `duplicates ${duplicates}, broker down ${upAt - downAt} ms ` +
          `(rabbitmqctl stop_app + 1 s + start_app), longest pause in confirms ${pause} ms, ` +
          `publishing confirmed again ${confirmedAt[resumeIndex] - upAt} ms after the broker accepted connections\n`,
      );
      expect(failed).toBe(0);
      expect(confirmed).toHaveLength(sent);
      expect(pause).toBeGreaterThan(1_000); // publishing really went through the outage
      expect(confirmed.filter((n) => !received.has(n))).toEqual([]);
      // And it keeps working afterwards.
      await producer.get(MessageProducer).publish('', queue, { n: -1 });
      await waitFor(() => received.has(-1), 'a message after recovery');
    } finally {
      await restoreBroker();
      await closeAll(consumer, producer);
    }
  }, 180_000);
});
