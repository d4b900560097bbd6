import { INestApplication, Injectable } from '@nestjs/common';
import { RabbitPayload, RabbitRPC, RabbitSubscribe, RpcClient, WarrenModule } from 'nestjs-warren';
import { closeAll, startApp } from './support/app';
import { RawClient, unique } from './support/broker';
import { consumerPrefetch } from './support/chaos';

/** RPC-only queues default to prefetch 100 (throughput) and still share a burst fairly between servers. */
describe('RPC prefetch (real broker)', () => {
  const rpcQueue = unique('q.rpcpf');
  const mixedQueue = unique('q.rpcpf.mixed');
  const served: Record<string, number> = {};
  const apps: INestApplication[] = [];
  let raw: RawClient;

  function server(name: string, options: Parameters<typeof WarrenModule.forRoot>[0] = {}) {
    @Injectable()
    class Slow {
      @RabbitRPC({ queue: rpcQueue })
      async work(@RabbitPayload() n: number) {
        served[name] = (served[name] ?? 0) + 1;
        await new Promise((resolve) => setTimeout(resolve, 50));
        return n;
      }
    }
    return startApp({ imports: [WarrenModule.forRoot({ logger: false, ...options })], providers: [Slow] });
  }

  beforeAll(async () => {
    raw = await RawClient.connect();
  });

  afterAll(async () => {
    await closeAll(...apps);
    await raw.deleteQueues(rpcQueue, mixedQueue);
    await raw.close();
  });

  it('an RPC-only queue consumes with prefetch 100; rpc.prefetch changes it; a queue with a subscriber keeps prefetch', async () => {
    apps.push(await server('a'));
    expect(await consumerPrefetch(rpcQueue)).toEqual([100]);
    apps.push(await server('b', { rpc: { prefetch: 5 } }));
    expect((await consumerPrefetch(rpcQueue)).sort((x, y) => x - y)).toEqual([5, 100]);

    @Injectable()
    class Mixed {
      @RabbitRPC({ queue: mixedQueue, routingKey: 'ask' })
      ask() {
        return 1;
      }

      @RabbitSubscribe({ queue: mixedQueue, routingKey: 'tell' })
      tell() {}
    }
    const mixed = await startApp({ imports: [WarrenModule.forRoot({ logger: false })], providers: [Mixed] });
    try {
      expect(await consumerPrefetch(mixedQueue)).toEqual([10]);
    } finally {
      await closeAll(mixed);
    }
  });

  it('two servers with the default prefetch share a burst of slow requests fairly (each at least 30%)', async () => {
    await closeAll(...apps.splice(0));
    for (const key of Object.keys(served)) delete served[key];
    apps.push(await server('left'), await server('right'));
    const client = apps[0].get(RpcClient);
    const burst = 40;
    const answers = await Promise.all(Array.from({ length: burst }, (_, n) => client.request<number>('', rpcQueue, n)));
    expect(answers).toEqual(Array.from({ length: burst }, (_, n) => n));
    expect((served.left ?? 0) + (served.right ?? 0)).toBe(burst);
    expect(Math.min(served.left ?? 0, served.right ?? 0)).toBeGreaterThanOrEqual(burst * 0.3);
  });
});
