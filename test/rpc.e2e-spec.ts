import { INestApplication, Injectable } from '@nestjs/common';
import { IsInt, IsString, Min } from 'class-validator';
import { RabbitPayload, RabbitRPC, RemoteError, RpcClient, RpcTimeoutError, WarrenModule } from 'nestjs-warren';
import { closeAll, startApp } from './support/app';
import { RawClient, unique, waitFor } from './support/broker';

class SumDto {
  @IsInt()
  a!: number;

  @IsInt()
  @Min(0)
  b!: number;
}

class GreetDto {
  @IsString()
  name!: string;
}

class OutOfStockError extends Error {
  readonly code = 'OUT_OF_STOCK';
  readonly details = { sku: 'A-1', available: 0 };
}

describe('RPC (real broker)', () => {
  const exchange = unique('rpc');
  const queue = unique('q.math');
  const silentQueue = unique('q.silent');
  let calls = 0;

  @Injectable()
  class MathService {
    @RabbitRPC({ exchange, routingKey: 'math.sum', queue })
    sum(payload: SumDto) {
      calls++;
      return { sum: payload.a + payload.b, isDto: payload instanceof SumDto };
    }

    @RabbitRPC({ exchange, routingKey: 'math.greet', queue })
    greet(@RabbitPayload() payload: GreetDto) {
      return `hello ${payload.name}`;
    }

    @RabbitRPC({ exchange, routingKey: 'math.fail', queue })
    fail() {
      throw new OutOfStockError('no stock for A-1');
    }

    @RabbitRPC({ exchange, routingKey: 'math.plain-fail', queue })
    plainFail() {
      throw new Error('plain failure');
    }

    @RabbitRPC({ exchange, routingKey: 'math.void', queue })
    nothing(): void {
      return undefined;
    }

    @RabbitRPC({ exchange, routingKey: 'math.silent', queue: silentQueue })
    async silent() {
      await new Promise((resolve) => setTimeout(resolve, 2_000));
      return 'too late';
    }
  }

  let app: INestApplication;
  let rpc: RpcClient;

  beforeAll(async () => {
    app = await startApp({
      imports: [WarrenModule.forRoot({ exchanges: [{ name: exchange, options: { autoDelete: true } }], rpc: { timeoutMs: 5_000 } })],
      providers: [MathService],
    });
    rpc = app.get(RpcClient);
  });

  afterAll(async () => {
    await closeAll(app);
    const raw = await RawClient.connect();
    await raw.deleteQueues(queue, silentQueue);
    await raw.close();
  });

  it('returns the handler result, with the payload transformed into the DTO', async () => {
    await expect(rpc.request(exchange, 'math.sum', { a: 2, b: 40 })).resolves.toEqual({ sum: 42, isDto: true });
  });

  it('routes several handlers sharing one queue by routing key', async () => {
    await expect(rpc.request(exchange, 'math.greet', { name: 'Ada' })).resolves.toBe('hello Ada');
    await expect(rpc.request(exchange, 'math.void', {})).resolves.toBeUndefined();
  });

  it('handles 200 concurrent calls, each answered with its own result', async () => {
    const results = await Promise.all(Array.from({ length: 200 }, (_, i) => rpc.request<{ sum: number }>(exchange, 'math.sum', { a: i, b: 1 })));
    expect(results.map((r) => r.sum)).toEqual(Array.from({ length: 200 }, (_, i) => i + 1));
  });

  it('rejects an invalid payload with RemoteError VALIDATION_FAILED at once, without running the handler', async () => {
    const before = calls;
    const started = Date.now();
    const error = await rpc.request(exchange, 'math.sum', { a: 1.5, b: -1 }).catch((e: unknown) => e);
    expect(Date.now() - started).toBeLessThan(2_500); // the timeout is 5 s: this came from the handler side
    expect(error).toBeInstanceOf(RemoteError);
    const remote = error as RemoteError;
    expect(remote.code).toBe('VALIDATION_FAILED');
    expect(remote.message).toContain('a must be an integer number');
    expect(remote.details).toEqual(
      expect.arrayContaining([
        { property: 'a', constraints: { isInt: 'a must be an integer number' } },
        { property: 'b', constraints: { min: 'b must not be less than 0' } },
      ]),
    );
    expect(calls).toBe(before);
  });

  it('rejects a payload that is not an object for a DTO handler', async () => {
    const error = (await rpc.request(exchange, 'math.sum', 'not an object').catch((e: unknown) => e)) as RemoteError;
    expect(error).toBeInstanceOf(RemoteError);
    expect(error.code).toBe('VALIDATION_FAILED');
    expect(error.message).toContain('payload must be a JSON object matching SumDto');
  });

  it("passes a thrown error's code, message and details to the caller", async () => {
    const error = (await rpc.request(exchange, 'math.fail', {}).catch((e: unknown) => e)) as RemoteError;
    expect(error).toBeInstanceOf(RemoteError);
    expect(error.code).toBe('OUT_OF_STOCK');
    expect(error.message).toBe('no stock for A-1');
    expect(error.details).toEqual({ sku: 'A-1', available: 0 });

    const plain = (await rpc.request(exchange, 'math.plain-fail', {}).catch((e: unknown) => e)) as RemoteError;
    expect(plain).toBeInstanceOf(RemoteError);
    expect(plain.code).toBe('HANDLER_ERROR');
    expect(plain.message).toBe('plain failure');
  });

  it('answers a routing key no handler on the shared queue takes with NO_HANDLER', async () => {
    const raw = await RawClient.connect();
    try {
      await raw.channel.bindQueue(queue, exchange, 'math.unknown');
      const error = (await rpc.request(exchange, 'math.unknown', {}).catch((e: unknown) => e)) as RemoteError;
      expect(error).toBeInstanceOf(RemoteError);
      expect(error.code).toBe('NO_HANDLER');
    } finally {
      await raw.close();
    }
  });

  it('rejects with RpcTimeoutError when no reply comes in time', async () => {
    const started = Date.now();
    const error = await rpc.request(exchange, 'math.silent', {}, { timeoutMs: 300 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RpcTimeoutError);
    expect((error as RpcTimeoutError).timeoutMs).toBe(300);
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('gives each request its own time budget header and expiration, also when sent back to back', async () => {
    // The client refills one headers object per send; a request must never carry another's budget.
    const parked = unique('q.parked');
    const raw = await RawClient.connect();
    try {
      await raw.channel.assertQueue(parked);
      const timeouts = [600, 1_200, 1_800, 2_400]; // 600 ms apart: a swapped budget falls outside its window
      const calls = timeouts.map((timeoutMs) => rpc.request('', parked, { timeoutMs }, { timeoutMs }).catch((error: unknown) => error));
      let messages: Awaited<ReturnType<RawClient['drain']>> = [];
      await waitFor(async () => (messages = messages.concat(await raw.drain(parked))).length === timeouts.length, 'four requests parked', 5_000);
      const byTimeout = new Map(messages.map((m) => [JSON.parse(m.content.toString()).timeoutMs as number, m.properties]));
      for (const timeoutMs of timeouts) {
        const properties = byTimeout.get(timeoutMs)!;
        // Relative, so the handler's clock need not agree with the caller's; no absolute deadline.
        const budget = properties.headers?.['warren-timeout-ms'] as number;
        expect(budget).toBeLessThanOrEqual(timeoutMs);
        expect(budget).toBeGreaterThan(timeoutMs - 400);
        expect(properties.expiration).toBe(String(budget));
        expect(properties.headers?.['warren-deadline']).toBeUndefined();
      }
      expect((await Promise.all(calls)).every((error) => error instanceof RpcTimeoutError)).toBe(true);
    } finally {
      await raw.deleteQueues(parked);
      await raw.close();
    }
  });
});
