import { INestApplication } from '@nestjs/common';
import { WarrenConfigurationError, WarrenConsumers, WarrenModule } from 'nestjs-warren';
import { closeAll, startApp } from './support/app';
import { RawClient, unique } from './support/broker';

/** Handlers added at run time (`WarrenConsumers.add/addMany`, what components and the Nest transport use). */
describe('run-time consumers (real broker)', () => {
  let app: INestApplication | undefined;
  let raw: RawClient;

  beforeAll(async () => {
    raw = await RawClient.connect();
    app = await startApp({ imports: [WarrenModule.forRoot({ logger: false })] });
  });

  afterAll(async () => {
    await closeAll(app);
    await raw.close();
  });

  it('addMany is all or nothing: one queue that cannot be consumed leaves none of the others consuming', async () => {
    const queues = Array.from({ length: 5 }, (_, i) => unique(`q.runtime.${i}`));
    const clash = queues[2];
    // Exists with an argument Warren would not declare: its start fails with "inequivalent arg".
    await raw.channel.assertQueue(clash, { arguments: { 'x-max-length': 5 } });
    try {
      const consumers = app!.get(WarrenConsumers);
      const before = consumers.list().length;
      const error = await consumers
        .addMany(queues.map((queue) => ({ options: { type: 'subscribe' as const, queue, retry: false as const, deadLetterQueue: false as const }, handler: () => undefined })))
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(WarrenConfigurationError);
      expect((error as Error).message).toContain(clash);
      expect(consumers.list()).toHaveLength(before); // none of the five is listed
      const channel = await raw.connection.createChannel();
      try {
        for (const queue of queues.filter((q) => q !== clash)) {
          // Queues that were declared before the failure are left, with no consumer on them.
          const exists = await raw.queueExists(queue);
          if (exists) expect((await channel.checkQueue(queue)).consumerCount).toBe(0);
        }
      } finally {
        await channel.close().catch(() => undefined);
      }

      // The same handlers, once the clash is gone, start normally.
      await raw.channel.deleteQueue(clash);
      const added = await consumers.addMany(
        queues.map((queue) => ({ options: { type: 'subscribe' as const, queue, retry: false as const, deadLetterQueue: false as const }, handler: () => undefined })),
      );
      expect(added.map((state) => state.queue).sort()).toEqual([...queues].sort());
      expect(added.every((state) => state.attached)).toBe(true);
    } finally {
      await closeAll(app);
      app = undefined;
      for (const queue of queues) await raw.channel.deleteQueue(queue).catch(() => undefined);
    }
  });
});
