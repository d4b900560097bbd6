import { Injectable } from '@nestjs/common';
import { MessageProducer, RabbitPayload, RabbitSignal, RabbitSubscribe, WarrenModule } from 'nestjs-warren';
import { closeAll, startApp } from './support/app';
import { RawClient, unique, waitFor } from './support/broker';
import { closeConnections } from './support/chaos';

/** `@RabbitSignal()`: long handlers learn that Warren stopped waiting for them, and stop early. */
describe('cancellation of draining handlers (real broker)', () => {
  it('aborts the signal at the drain deadline; the handler stops and its message goes back to the queue', async () => {
    const queue = unique('q.cancel.drain');
    const seen: Array<{ id: number; reason: string }> = [];
    let started = 0;

    @Injectable()
    class Slow {
      @RabbitSubscribe({ queue, queueOptions: { durable: false } })
      async work(@RabbitPayload() job: { id: number }, @RabbitSignal() signal: AbortSignal) {
        started++;
        // Would take a minute; stops when told.
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, 60_000);
          signal.addEventListener('abort', () => {
            clearTimeout(timer);
            seen.push({ id: job.id, reason: String((signal.reason as Error).message) });
            resolve();
          });
        });
      }
    }

    const app = await startApp({ imports: [WarrenModule.forRoot({ logger: false, shutdown: { drainTimeoutMs: 300 } })], providers: [Slow] });
    const raw = await RawClient.connect();
    try {
      await app.get(MessageProducer).publish('', queue, { id: 7 });
      await waitFor(() => started === 1, 'the handler to start');
      await app.close();
      expect(seen).toEqual([{ id: 7, reason: expect.stringMatching(/drain deadline/) }]);
      expect(await raw.ready(queue)).toBe(1); // requeued: not lost
    } finally {
      await closeAll(app);
      await raw.deleteQueues(queue);
      await raw.close();
    }
  });

  it("aborts the signal when the delivery's channel is lost", async () => {
    const queue = unique('q.cancel.lost');
    const connectionName = unique('cancel-conn');
    const reasons: string[] = [];
    let started = 0;

    @Injectable()
    class Slow {
      @RabbitSubscribe({ queue, queueOptions: { durable: false } })
      async work(@RabbitSignal() signal: AbortSignal) {
        started++;
        if (started > 1) return; // the redelivery after the reconnect finishes at once
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, 60_000);
          signal.addEventListener('abort', () => {
            clearTimeout(timer);
            reasons.push(String((signal.reason as Error).message));
            resolve();
          });
        });
      }
    }

    const app = await startApp({ imports: [WarrenModule.forRoot({ logger: false, connection: { name: connectionName, reconnectDelayMs: 200 } })], providers: [Slow] });
    try {
      await app.get(MessageProducer).publish('', queue, { id: 1 });
      await waitFor(() => started === 1, 'the handler to start');
      await closeConnections(connectionName);
      await waitFor(() => reasons.length === 1, 'the abort', 15_000);
      expect(reasons[0]).toMatch(/channel was lost/);
      await waitFor(() => started === 2, 'the redelivery handled after the reconnect', 15_000);
    } finally {
      await closeAll(app);
      const raw = await RawClient.connect();
      await raw.deleteQueues(queue);
      await raw.close();
    }
  });
});
