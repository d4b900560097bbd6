import { Injectable } from '@nestjs/common';
import { MessageProducer, RabbitPayload, RabbitSubscribe, WarrenModule, WarrenStatus } from 'nestjs-warren';
import { WarrenFaults, waitFor } from 'nestjs-warren/testing';
import { closeAll, startApp } from './support/app';
import { RawClient, unique } from './support/broker';

/** The fault kit as a user's suite would use it: drop Warren's connection, raise a memory alarm. */
describe('nestjs-warren/testing: WarrenFaults (real broker)', () => {
  const faults = new WarrenFaults();
  const queue = unique('q.faults');
  const name = unique('faults-app');
  const got: number[] = [];

  @Injectable()
  class Worker {
    @RabbitSubscribe({ queue, queueOptions: { durable: false } })
    handle(@RabbitPayload() n: number) {
      got.push(n);
    }
  }

  afterAll(async () => {
    await faults.restore();
    const raw = await RawClient.connect();
    await raw.deleteQueues(queue);
    await raw.close();
  });

  it("closeConnections drops the app's connection; Warren reconnects and delivers again", async () => {
    const app = await startApp({ imports: [WarrenModule.forRoot({ logger: false, connection: { name, reconnectDelayMs: 100 } })], providers: [Worker] });
    try {
      await app.get(MessageProducer).publish('', queue, 1);
      await waitFor(() => got.includes(1), 'the first message');
      expect(await faults.closeConnections(name)).toBe(2); // the connection and its publishing connection
      await waitFor(() => app.get(WarrenStatus).check().up, 'the reconnect', { timeoutMs: 15_000 });
      await app.get(MessageProducer).publish('', queue, 2);
      await waitFor(() => got.includes(2), 'a message after the reconnect');
    } finally {
      await closeAll(app);
    }
  });

  it('withMemoryAlarm blocks publishers while it runs and restores the watermark afterwards', async () => {
    const app = await startApp({ imports: [WarrenModule.forRoot({ logger: false })], providers: [Worker] });
    try {
      await faults.withMemoryAlarm(async () => {
        app.get(MessageProducer).emit('', queue, 3); // the broker tells a publishing connection it is blocked
        await waitFor(() => app.get(WarrenStatus).check().publishConnection.blocked !== undefined, 'the block', { timeoutMs: 20_000 });
      });
      await waitFor(() => app.get(WarrenStatus).check().up, 'unblocked after the alarm', { timeoutMs: 20_000 });
      await waitFor(() => got.includes(3), 'the held message delivered after the alarm');
    } finally {
      await closeAll(app);
    }
  });

  it('waitFor names what it waited for when it gives up', async () => {
    await expect(waitFor(() => false, 'something that never happens', { timeoutMs: 50 })).rejects.toThrow(
      'Timed out after 50 ms waiting for something that never happens',
    );
  });
});
