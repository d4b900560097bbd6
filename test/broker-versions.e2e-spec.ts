import { INestApplication, Injectable } from '@nestjs/common';
import { MessageProducer, RabbitPayload, RabbitSubscribe, WarrenConfigurationError, WarrenConsumers, WarrenModule, WarrenStatus } from 'nestjs-warren';
import { closeAll, startApp } from './support/app';
import { RawClient, unique, waitFor } from './support/broker';
import { CapturingLogger } from './support/observe';
import { management, managementBase } from './support/target';

/**
 * What Warren does differently by RabbitMQ version, on the test target (3.10 by default; 4.0 and
 * 4.3 under `npm run test:brokers`). Each test reads the version from the broker itself (its
 * server properties) and asserts that version's behaviour. Non-disruptive: unique queues only.
 */
describe('broker versions (real broker)', () => {
  let raw: RawClient;
  let version: string;
  const apps: INestApplication[] = [];
  const queues: string[] = [];

  const atLeast = (major: number, minor: number) => {
    const [actualMajor, actualMinor] = version.split('.').map(Number);
    return actualMajor > major || (actualMajor === major && actualMinor >= minor);
  };
  const start = async (providers: Array<new (...args: never[]) => unknown>, logger: CapturingLogger | false = false) => {
    const app = await startApp({ imports: [WarrenModule.forRoot({ logger })], providers });
    apps.push(app);
    return app;
  };
  const queueArgs = async (queue: string) => {
    const { vhost } = managementBase();
    return ((await management('GET', `/queues/${encodeURIComponent(vhost)}/${encodeURIComponent(queue)}`)) as { arguments: Record<string, unknown> }).arguments;
  };

  beforeAll(async () => {
    raw = await RawClient.connect();
    version = String(raw.connection.connection.serverProperties.version);
  });

  afterAll(async () => {
    await closeAll(...apps);
    await raw.deleteQueues(...queues);
    await raw.close();
  });

  it('shows the version the broker announced in WarrenStatus', async () => {
    const app = await start([]);
    const health = app.get(WarrenStatus).check();
    expect(health.connection.brokerVersion).toBe(version);
    expect(health.publishConnection.brokerVersion).toBe(version);
  });

  it('declares a quorum .dlq and delay queue so that no delivery limit drops what they hold (-1 from 4.0, nothing on 3.x)', async () => {
    const queue = unique('q.versions.companions');
    queues.push(queue, `${queue}.retry.100ms`);
    @Injectable()
    class Retried {
      @RabbitSubscribe({ queue, queueType: 'quorum', retry: { attempts: 2, initialDelayMs: 100 } })
      on() {}
    }
    await start([Retried]);
    for (const companion of [`${queue}.dlq`, `${queue}.retry.100ms`]) {
      const args = await queueArgs(companion);
      expect(args['x-queue-type']).toBe('quorum');
      expect(args['x-delivery-limit']).toBe(atLeast(4, 0) ? -1 : undefined);
    }
    expect((await queueArgs(queue))['x-delivery-limit']).toBe(20);
  });

  it('keeps a .dlq an earlier Warren declared without the limit, and says it keeps the default limit (4.0+)', async () => {
    const queue = unique('q.versions.legacy');
    queues.push(queue);
    await raw.channel.assertQueue(`${queue}.dlq`, { durable: true, arguments: { 'x-queue-type': 'quorum' } });
    @Injectable()
    class Legacy {
      @RabbitSubscribe({ queue, queueType: 'quorum', retry: false })
      on() {}
    }
    const logger = new CapturingLogger();
    await start([Legacy], logger);
    expect(attached(apps.at(-1)!, queue)).toBe(true);
    const warned = logger.matching('warn', /exists without x-delivery-limit/);
    expect(warned).toEqual(atLeast(4, 0) ? [expect.stringContaining(`'${queue}.dlq'`)] : []);
    expect((await queueArgs(`${queue}.dlq`))['x-delivery-limit']).toBeUndefined();
  });

  it('takes priorities on a quorum queue from 4.0 (two levels; 32 strict ones from 4.3) and refuses them before, naming the version', async () => {
    const queue = unique('q.versions.priority');
    queues.push(queue);
    const order: number[] = [];
    @Injectable()
    class Prioritised {
      @RabbitSubscribe({ queue, queueType: 'quorum', retry: false, deadLetterQueue: false, prefetch: 1, queueOptions: { maxPriority: 31 } })
      on(@RabbitPayload('p') p: number) {
        order.push(p);
      }
    }
    if (!atLeast(4, 0)) {
      const attempt = start([Prioritised]);
      await expect(attempt).rejects.toBeInstanceOf(WarrenConfigurationError);
      await expect(attempt).rejects.toThrow(new RegExp(`'x-max-priority'.*no priorities on RabbitMQ ${version.replace(/\./g, '\\.')}`, 's'));
      expect(await raw.queueExists(queue)).toBe(false);
      return;
    }
    const app = await start([Prioritised]);
    expect((await queueArgs(queue))['x-max-priority']).toBeUndefined(); // quorum queues refuse the argument itself
    await app.get(WarrenConsumers).pause(queue);
    const sent = [0, 1, 4, 5, 9, 20, 31, 2];
    for (const p of sent) await app.get(MessageProducer).publish('', queue, { p }, { priority: p });
    await app.get(WarrenConsumers).resume(queue);
    await waitFor(() => order.length === sent.length, 'every prioritised message');
    if (atLeast(4, 3)) {
      expect(order).toEqual([...sent].sort((a, b) => b - a));
    } else {
      // Two levels: above 4 is high; high ones go first, two for each normal one.
      expect(order.slice(0, 2).every((p) => p > 4)).toBe(true);
      expect(order.filter((p) => p > 4)).toEqual([5, 9, 20, 31]);
      expect(order.filter((p) => p <= 4)).toEqual([0, 1, 4, 2]);
    }
  });

  it("lets RabbitMQ 4.3 delay a quorum queue's requeues itself (x-delayed-retry-*), and refuses the arguments before, naming the version", async () => {
    const queue = unique('q.versions.delayed');
    queues.push(queue);
    const at: number[] = [];
    const MIN_MS = 150;
    const args = { 'x-delayed-retry-type': 'failed', 'x-delayed-retry-min': MIN_MS, 'x-delayed-retry-max': 2_000 };
    @Injectable()
    class Delayed {
      @RabbitSubscribe({ queue, queueType: 'quorum', deliveryLimit: 3, retry: false, errorBehavior: 'REQUEUE', queueOptions: { arguments: args } })
      on() {
        at.push(Date.now());
        throw new Error('try again later');
      }
    }
    if (!atLeast(4, 3)) {
      const attempt = start([Delayed]);
      await expect(attempt).rejects.toBeInstanceOf(WarrenConfigurationError);
      await expect(attempt).rejects.toThrow(`'x-delayed-retry-type' on RabbitMQ ${version}`);
      expect(await raw.queueExists(queue)).toBe(false);
      return;
    }
    const app = await start([Delayed]);
    await app.get(MessageProducer).publish('', queue, { id: 'later' });
    await waitFor(async () => (await raw.ready(`${queue}.dlq`)) === 1, 'parked at the delivery limit', 15_000);
    expect(at).toHaveLength(4);
    // Warren requeues with basic.reject, a 'failed' return: the broker waits min × delivery count before each redelivery.
    const gaps = at.slice(1).map((time, i) => time - at[i]);
    gaps.forEach((gap, i) => expect(gap).toBeGreaterThanOrEqual(MIN_MS * (i + 1) - 20));
  });

  it('refuses x-queue-version 1 at start-up on 4.3 with a WarrenConfigurationError naming option and version (declares it before)', async () => {
    const queue = unique('q.versions.v1');
    queues.push(queue);
    @Injectable()
    class VersionOne {
      @RabbitSubscribe({ queue, retry: false, deadLetterQueue: false, queueOptions: { arguments: { 'x-queue-version': 1 } } })
      on() {}
    }
    if (atLeast(4, 3)) {
      const attempt = start([VersionOne]);
      await expect(attempt).rejects.toBeInstanceOf(WarrenConfigurationError);
      await expect(attempt).rejects.toThrow(`'x-queue-version: 1' on RabbitMQ ${version}`);
      expect(await raw.queueExists(queue)).toBe(false);
    } else {
      await start([VersionOne]);
      expect((await queueArgs(queue))['x-queue-version']).toBe(1);
    }
  });
});

function attached(app: INestApplication, queue: string): boolean {
  return app.get(WarrenConsumers).list().some((state) => state.queue === queue && state.attached);
}
