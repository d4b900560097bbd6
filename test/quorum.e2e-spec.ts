import { INestApplication, Injectable } from '@nestjs/common';
import { RabbitSubscribe, WarrenConfigurationError, WarrenModule } from 'nestjs-warren';
import { closeAll, startApp } from './support/app';
import { RawClient, unique, waitFor } from './support/broker';
import { queueTypes } from './support/chaos';

/**
 * Quorum queues on the single broker (the cluster suite covers failover): declaration with the
 * companions of the same type, start-up refusal of what a quorum queue does not support, and the
 * broker's delivery limit parking a message in the handler's dead-letter queue.
 */
describe('quorum queues (real broker)', () => {
  const exchange = unique('quorum');
  const orders = unique('q.quorum.orders');
  const loop = unique('q.quorum.loop');
  const handled: string[] = [];
  let loopDeliveries = 0;
  let raw: RawClient;
  let app: INestApplication | undefined;

  @Injectable()
  class Handlers {
    @RabbitSubscribe({ exchange, routingKey: 'order.*', queue: orders, queueType: 'quorum', retry: { attempts: 2, initialDelayMs: 100 } })
    onOrder(payload: { id: string }) {
      if (payload.id.startsWith('bad')) throw new Error(`cannot handle ${payload.id}`);
      handled.push(payload.id);
    }

    /** Requeues every failure: only the broker's delivery limit stops the loop. */
    @RabbitSubscribe({ exchange, routingKey: 'loop', queue: loop, queueType: 'quorum', deliveryLimit: 3, errorBehavior: 'REQUEUE' })
    onLoop() {
      loopDeliveries++;
      throw new Error('always fails');
    }
  }

  beforeAll(async () => {
    raw = await RawClient.connect();
    await raw.channel.assertExchange(exchange, 'topic', { autoDelete: true });
    app = await startApp({ imports: [WarrenModule.forRoot({ logger: false })], providers: [Handlers] });
  });

  afterAll(async () => {
    await closeAll(app);
    await raw.deleteQueues(orders, `${orders}.dlq`, `${orders}.retry.100ms`, loop, `${loop}.dlq`);
    await raw.close();
  });

  it('declares the queue, its delay queue and its dead-letter queue as quorum queues', async () => {
    expect(await queueTypes(orders, `${orders}.retry.100ms`, `${orders}.dlq`, loop, `${loop}.dlq`)).toEqual({
      [orders]: 'quorum',
      [`${orders}.retry.100ms`]: 'quorum',
      [`${orders}.dlq`]: 'quorum',
      [loop]: 'quorum',
      [`${loop}.dlq`]: 'quorum',
    });
  });

  it('handles, retries through the quorum delay queue, and parks with the reason', async () => {
    await raw.publish(exchange, 'order.created', JSON.stringify({ id: 'good-1' }), { contentType: 'application/json' });
    await raw.publish(exchange, 'order.created', JSON.stringify({ id: 'bad-1' }), { contentType: 'application/json' });
    await waitFor(async () => (await raw.ready(`${orders}.dlq`)) === 1, 'bad-1 parked in the dead-letter queue');
    expect(handled).toEqual(['good-1']);
    const [parked] = await raw.drain(`${orders}.dlq`);
    expect(JSON.parse(parked.content.toString())).toEqual({ id: 'bad-1' });
    expect(parked.properties.headers?.['warren-error']).toContain('cannot handle bad-1');
    expect(parked.properties.headers?.['warren-attempt']).toBe(2);
  });

  it("dead-letters a message the handler requeues forever once the broker's delivery limit is reached", async () => {
    await raw.publish(exchange, 'loop', JSON.stringify({ id: 'loop-1' }), { contentType: 'application/json' });
    await waitFor(async () => (await raw.ready(`${loop}.dlq`)) === 1, 'the looping message in the dead-letter queue', 20_000);
    // x-delivery-limit 3: delivered once, then returned three times and delivered again each time.
    expect(loopDeliveries).toBe(4);
    const [parked] = await raw.drain(`${loop}.dlq`);
    const death = parked.properties.headers?.['x-death']?.[0];
    expect(death).toMatchObject({ reason: 'delivery_limit', queue: loop });
    expect(parked.properties.headers?.['x-first-death-reason']).toBe('delivery_limit');
    expect(await raw.ready(loop)).toBe(0);
  });

  it('refuses at start-up, naming the option, what a quorum queue does not support (and declares nothing)', async () => {
    // Priorities are version-specific (test/broker-versions.e2e-spec.ts); no quorum queue takes a queue mode.
    const refused = unique('q.quorum.mode');
    @Injectable()
    class Lazy {
      @RabbitSubscribe({ queue: refused, queueType: 'quorum', queueOptions: { arguments: { 'x-queue-mode': 'lazy' } } })
      handle() {}
    }
    const attempt = startApp({ imports: [WarrenModule.forRoot({ logger: false })], providers: [Lazy] });
    await expect(attempt).rejects.toBeInstanceOf(WarrenConfigurationError);
    await expect(attempt).rejects.toThrow(/'x-queue-mode'.*queueType: 'classic'/s);
    expect(await raw.queueExists(refused)).toBe(false);
  });

  it("makes the module's queueType the default of named queues, and leaves server-named ones classic", async () => {
    const named = unique('q.quorum.default');
    const seen: string[] = [];
    @Injectable()
    class Defaults {
      @RabbitSubscribe({ exchange, routingKey: 'default', queue: named })
      onNamed(payload: { id: string }) {
        seen.push(`named:${payload.id}`);
      }

      @RabbitSubscribe({ exchange, routingKey: 'default' })
      onAnonymous(payload: { id: string }) {
        seen.push(`anonymous:${payload.id}`);
      }
    }
    const other = await startApp({ imports: [WarrenModule.forRoot({ logger: false, queueType: 'quorum', retry: false })], providers: [Defaults] });
    try {
      expect(await queueTypes(named, `${named}.dlq`)).toEqual({ [named]: 'quorum', [`${named}.dlq`]: 'quorum' });
      await raw.publish(exchange, 'default', JSON.stringify({ id: 'd1' }), { contentType: 'application/json' });
      await waitFor(() => seen.length === 2, 'both handlers');
      expect(seen.sort()).toEqual(['anonymous:d1', 'named:d1']);
    } finally {
      await closeAll(other);
      await raw.deleteQueues(named, `${named}.dlq`);
    }
  });
});
