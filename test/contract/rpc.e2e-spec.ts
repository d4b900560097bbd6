import { INestApplication, Injectable } from '@nestjs/common';
import { IsInt } from 'class-validator';
import { RabbitRPC, RemoteError, RpcClient, RpcTimeoutError, UnroutableMessageError } from 'nestjs-warren';
import { Apps, Gate, brokerCases, exchange, transient, unique } from './harness';

class SumDto {
  @IsInt()
  a!: number;

  @IsInt()
  b!: number;
}

class OutOfStockError extends Error {
  readonly code = 'OUT_OF_STOCK';
  readonly details = { sku: 'A-1', available: 0 };
}

/** A request gets the handler's return value, or rejects at once with a typed error saying why not. */
describe.each(brokerCases)('RPC on %s', (_name, broker) => {
  const apps = new Apps(broker);
  let rpcExchange: string;
  let slow: Gate;
  let sums: number;
  let app: INestApplication;
  let rpc: RpcClient;

  beforeEach(async () => {
    rpcExchange = unique('rpc');
    const queue = unique('q.math');
    slow = new Gate();
    sums = 0;
    const gate = slow;

    @Injectable()
    class MathService {
      @RabbitRPC({ ...transient, exchange: rpcExchange, routingKey: 'math.sum', queue })
      sum({ a, b }: SumDto) {
        sums++;
        return { sum: a + b };
      }

      @RabbitRPC({ ...transient, exchange: rpcExchange, routingKey: 'math.out-of-stock', queue })
      outOfStock() {
        throw new OutOfStockError('no stock for A-1');
      }

      @RabbitRPC({ ...transient, exchange: rpcExchange, routingKey: 'math.plain-failure', queue })
      plainFailure() {
        throw new Error('plain failure');
      }

      @RabbitRPC({ ...transient, exchange: rpcExchange, routingKey: 'math.slow', queue })
      async slowly() {
        await gate.opened;
        return 'too late';
      }
    }

    app = await apps.start({ exchanges: [exchange(rpcExchange, 'direct')], rpc: { timeoutMs: 5_000 } }, [MathService]);
    rpc = app.get(RpcClient);
  });

  afterEach(async () => {
    slow.open(); // first: a handler still blocked would hold the app's drain on close
    await apps.closeAll();
  });

  it('answers a request with the handler result', async () => {
    await expect(rpc.request(rpcExchange, 'math.sum', { a: 2, b: 40 })).resolves.toEqual({ sum: 42 });
    expect(sums).toBe(1);
  });

  it('rejects with RemoteError carrying the message, code and details of what the handler threw', async () => {
    const error = (await rpc.request(rpcExchange, 'math.out-of-stock', {}).catch((e: unknown) => e)) as RemoteError;
    expect(error).toBeInstanceOf(RemoteError);
    expect(error.message).toBe('no stock for A-1');
    expect(error.code).toBe('OUT_OF_STOCK');
    expect(error.details).toEqual({ sku: 'A-1', available: 0 });

    const plain = (await rpc.request(rpcExchange, 'math.plain-failure', {}).catch((e: unknown) => e)) as RemoteError;
    expect(plain).toBeInstanceOf(RemoteError);
    expect(plain.message).toBe('plain failure');
    expect(plain.code).toBe('HANDLER_ERROR');
  });

  it('rejects an invalid payload with RemoteError VALIDATION_FAILED, without running the handler', async () => {
    const error = (await rpc.request(rpcExchange, 'math.sum', { a: 1.5, b: 2 }).catch((e: unknown) => e)) as RemoteError;
    expect(error).toBeInstanceOf(RemoteError);
    expect(error.code).toBe('VALIDATION_FAILED');
    expect(error.details).toEqual([{ property: 'a', constraints: { isInt: 'a must be an integer number' } }]);
    expect(sums).toBe(0);
  });

  it('rejects with RpcTimeoutError when no reply comes within timeoutMs', async () => {
    const started = Date.now();
    const error = (await rpc.request(rpcExchange, 'math.slow', {}, { timeoutMs: 100 }).catch((e: unknown) => e)) as RpcTimeoutError;
    expect(error).toBeInstanceOf(RpcTimeoutError);
    expect(error).toMatchObject({ exchange: rpcExchange, routingKey: 'math.slow', timeoutMs: 100 });
    expect(Date.now() - started).toBeGreaterThanOrEqual(95);
  });

  it('rejects at once with UnroutableMessageError when no queue is bound for the key', async () => {
    const started = Date.now();
    const error = (await rpc.request(rpcExchange, 'math.nobody', {}).catch((e: unknown) => e)) as UnroutableMessageError;
    expect(error).toBeInstanceOf(UnroutableMessageError);
    expect(error).toMatchObject({ exchange: rpcExchange, routingKey: 'math.nobody', code: 'NO_ROUTE' });
    expect(Date.now() - started).toBeLessThan(1_000); // the timeout is 5 s
  });

  it('answers 20 concurrent requests, each with its own result', async () => {
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => rpc.request<{ sum: number }>(rpcExchange, 'math.sum', { a: i, b: 100 })));
    expect(results.map((r) => r.sum)).toEqual(Array.from({ length: 20 }, (_, i) => i + 100));
    expect(sums).toBe(20);
  });
});
