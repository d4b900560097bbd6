import { Injectable, UseGuards, UseInterceptors } from '@nestjs/common';
import {
  MessageProducer,
  Nack,
  PublishError,
  RabbitHeader,
  RabbitPayload,
  RabbitRPC,
  RabbitSubscribe,
  RemoteError,
  RpcClient,
  WarrenConfigurationError,
  WarrenConsumers,
} from 'nestjs-warren';
import { TenantGuard, WrapInterceptor } from '../support/enhancers';
import { Apps, atLeast, brokerCases, record, transient, unique, waitFor } from './harness';

/** Nest's enhancers around handlers, competing consumers, quorum delivery limits, and what the broker refuses. */
describe.each(brokerCases)('broker rules on %s', (_name, broker) => {
  const apps = new Apps(broker);
  afterEach(() => apps.closeAll());

  it('runs guards and interceptors around an RPC handler: a refused guard is a FORBIDDEN-style error for the caller', async () => {
    const queue = unique('q.guarded');
    @Injectable()
    class Guarded {
      @RabbitRPC({ queue, routingKey: queue, ...transient })
      @UseGuards(TenantGuard)
      @UseInterceptors(WrapInterceptor)
      echo(@RabbitPayload('word') word: string, @RabbitHeader('tenant') tenant: string) {
        return `${word}@${tenant}`;
      }
    }
    const app = await apps.start({}, [Guarded]);
    const rpc = app.get(RpcClient);
    await expect(rpc.request('', queue, { word: 'hi' }, { headers: { tenant: 'acme' } })).resolves.toEqual({ wrapped: 'hi@acme' });
    await expect(rpc.request('', queue, { word: 'hi' }, { headers: { tenant: 'evil' } })).rejects.toBeInstanceOf(RemoteError);
  });

  it('shares one queue between two apps: each gets a part, together every message once', async () => {
    const queue = unique('q.shared');
    const seen: Record<string, string[]> = { a: [], b: [] };
    const worker = (label: 'a' | 'b') => {
      @Injectable()
      class Worker {
        @RabbitSubscribe({ queue, prefetch: 1, retry: false, deadLetterQueue: false, queueOptions: { expires: 60_000 } })
        async on(job: { i: number }) {
          seen[label].push(String(job.i));
          await new Promise((resolve) => setImmediate(resolve));
        }
      }
      return Worker;
    };
    const first = await apps.start({}, [worker('a')]);
    await apps.start({}, [worker('b')]);
    for (let i = 0; i < 20; i++) await first.get(MessageProducer).publish('', queue, { i });
    await waitFor(() => seen.a.length + seen.b.length === 20, 'all 20 handled');
    expect(seen.a.length).toBeGreaterThan(0);
    expect(seen.b.length).toBeGreaterThan(0);
    expect(new Set([...seen.a, ...seen.b]).size).toBe(20);
  });

  it("dead-letters a message requeued past a quorum queue's delivery limit, with x-death reason delivery_limit", async () => {
    const queue = unique('q.limit');
    const counts: unknown[] = [];
    const acquired: unknown[] = [];
    @Injectable()
    class Looping {
      @RabbitSubscribe({ queue, queueType: 'quorum', deliveryLimit: 2, retry: false })
      on(@RabbitHeader('x-delivery-count') count: unknown, @RabbitHeader('x-acquired-count') times: unknown) {
        counts.push(count);
        acquired.push(times);
        return new Nack(true);
      }
    }
    const app = await apps.start({}, [Looping]);
    const parked = await record(app, `${queue}.dlq`, { queueType: 'quorum' });
    await app.get(MessageProducer).publish('', queue, { id: 'loop' });
    await waitFor(() => parked.length === 1, 'the looping message parked by the broker');
    expect(counts).toEqual([undefined, 1, 2]); // delivered, then returned twice; the third return is past the limit
    // RabbitMQ 4.3 also counts every acquisition; older versions send no such header.
    expect(acquired).toEqual(atLeast(app, 4, 3) ? [undefined, 1, 2] : [undefined, undefined, undefined]);
    expect(parked[0].payload).toEqual({ id: 'loop' });
    expect(parked[0].headers['x-first-death-reason']).toBe('delivery_limit');
  });

  it("refuses a publish whose userId is not the connection's user with PublishError PRECONDITION_FAILED", async () => {
    const queue = unique('q.user');
    const app = await apps.start();
    const received = await record(app, queue, { queueOptions: { autoDelete: true } });
    const forged = app.get(MessageProducer).publish('', queue, { id: 1 }, { userId: 'mallory' });
    await expect(forged).rejects.toBeInstanceOf(PublishError);
    await expect(forged).rejects.toMatchObject({ code: 'PRECONDITION_FAILED', replyCode: 406 });
    await app.get(MessageProducer).publish('', queue, { id: 2 });
    await waitFor(() => received.length === 1, 'the honest message');
    expect(received.map((r) => r.payload)).toEqual([{ id: 2 }]);
  });

  it('fails the start-up when a queue exists with other arguments, saying so', async () => {
    const queue = unique('q.redeclared');
    const app = await apps.start();
    await app.get(WarrenConsumers).add({ type: 'subscribe', queue, queueOptions: { expires: 60_000 }, retry: false, deadLetterQueue: false }, () => undefined);
    @Injectable()
    class Other {
      @RabbitSubscribe({ queue, queueOptions: { expires: 60_000, messageTtl: 1_000 }, retry: false, deadLetterQueue: false })
      on() {}
    }
    const attempt = apps.start({}, [Other]);
    await expect(attempt).rejects.toBeInstanceOf(WarrenConfigurationError);
    await expect(attempt).rejects.toThrow(/inequivalent arg 'x-message-ttl'.*exists with other arguments/s);
  });
});
