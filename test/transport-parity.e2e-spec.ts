import { Controller, INestMicroservice, UseFilters } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Ctx, EventPattern, MessagePattern, MicroserviceOptions, Payload, RmqRecordBuilder, RpcException } from '@nestjs/microservices';
import { createServer } from 'net';
import { EMPTY, Observable, concat, from, lastValueFrom, of, scan, tap, throwError, toArray } from 'rxjs';
import { BrokerConnectionError, RemoteError } from 'nestjs-warren';
import { WarrenClient, WarrenRpcContext, WarrenRpcExceptionFilter, WarrenServer } from 'nestjs-warren/microservices';
import { createWarren, type Warren } from '../libs/warren/src/warren.standalone';
import { BROKER_URL, RawClient, unique, waitFor } from './support/broker';

/** A local port nothing listens on: taken from the OS, then released. */
function closedPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

/** What a promise rejected with (fails the test if it resolved). */
async function rejection(promise: Promise<unknown>): Promise<any> {
  return promise.then(
    (value) => {
      throw new Error(`expected a rejection, got ${JSON.stringify(value)}`);
    },
    (error: unknown) => error,
  );
}

/**
 * What users of Nest's own RMQ transport rely on (the scenarios of Nest's RMQ integration tests:
 * wildcard patterns, streamed answers, record builders, an unreachable broker), over Warren.
 */
describe('WarrenServer/WarrenClient behave as Nest’s RMQ transport where users rely on it (real broker)', () => {
  const exchange = unique('parity');
  const queue = unique('q.parity');
  const received: Array<{ data: unknown; headers: Record<string, unknown>; priority?: number; pattern: string }> = [];
  let gate: { open: () => void; opened: Promise<void> };
  let service: INestMicroservice;
  let client: WarrenClient;
  let warren: Warren;
  let raw: RawClient;

  const newGate = () => {
    let open!: () => void;
    const opened = new Promise<void>((resolve) => (open = resolve));
    gate = { open, opened };
  };

  /** No exception filter of its own: Nest's default one applies. */
  @Controller()
  class ParityController {
    @MessagePattern('wildcard.*.*')
    wildcard(@Ctx() ctx: WarrenRpcContext): string {
      return ctx.getPattern();
    }

    @EventPattern('audit.*')
    audit(@Payload() data: unknown, @Ctx() ctx: WarrenRpcContext) {
      const { headers = {}, priority } = ctx.getMessage().properties;
      received.push({ data, headers, priority, pattern: ctx.getPattern() });
    }

    @MessagePattern({ cmd: 'streaming' })
    streaming(@Payload() data: number[]): Observable<number> {
      return from(data);
    }

    @MessagePattern('stream.gated')
    gated(): Observable<number> {
      return new Observable<number>((subscriber) => {
        subscriber.next(1);
        void gate.opened.then(() => {
          subscriber.next(2);
          subscriber.complete();
        });
      });
    }

    @MessagePattern('stream.broken')
    broken(): Observable<number> {
      return concat(of(1, 2), throwError(() => new RpcException({ code: 'BROKE', message: 'broke after two' })));
    }

    @MessagePattern('stream.empty')
    empty(): Observable<number> {
      return EMPTY;
    }

    @MessagePattern('record.duplex')
    duplex(@Payload() data: unknown, @Ctx() ctx: WarrenRpcContext) {
      const { headers, priority, messageId, type, appId } = ctx.getMessage().properties;
      return { data, headers, priority, messageId, type, appId, raw: ctx.getRawMessage().properties.headers };
    }

    @MessagePattern('record.bare')
    bare(@Ctx() ctx: WarrenRpcContext) {
      return { headers: ctx.getMessage().properties.headers ?? null, fromGetHeaders: ctx.getHeaders() };
    }

    @MessagePattern('rpc.details')
    details() {
      throw new RpcException({ code: 'OUT_OF_STOCK', message: 'sku 42 is out of stock', details: { sku: 42, left: 0 } });
    }

    @MessagePattern('rpc.text')
    text() {
      throw new RpcException('just a sentence');
    }

    @MessagePattern('rpc.crash')
    crash() {
      throw new Error('the database at amqp://app:hunter2@db.internal is down');
    }

    @EventPattern('job.default')
    jobDefault() {
      throw new Error('job failed: amqp://app:hunter2@db.internal is down');
    }
  }

  /** Nest's answer to callers ("Internal server error"), the real reason in dead letters. */
  @Controller()
  @UseFilters(new WarrenRpcExceptionFilter({ exposeErrors: false }))
  class GuardedController {
    @MessagePattern('guarded.crash')
    crash() {
      throw new Error('secret internals at amqp://app:hunter2@db.internal');
    }

    @EventPattern('job.guarded')
    job(@Payload() event: { id: string }) {
      throw new Error(`job ${event.id} failed: amqp://app:hunter2@db.internal is down`);
    }
  }

  beforeAll(async () => {
    raw = await RawClient.connect();
    service = await NestFactory.createMicroservice<MicroserviceOptions>(
      { module: class ParityModule {}, controllers: [ParityController, GuardedController] },
      { strategy: new WarrenServer({ uri: BROKER_URL, exchange, queue, retry: false, logger: false }), logger: false },
    );
    await service.listen();
    client = new WarrenClient({ uri: BROKER_URL, exchange, logger: false, timeoutMs: 5_000 });
    await client.connect();
    warren = await createWarren({ uri: BROKER_URL, logger: false, registerHandlers: false });
  });

  afterAll(async () => {
    gate?.open();
    await client?.close();
    await warren?.close();
    await service?.close();
    await raw.deleteQueues(queue);
    await raw.deleteExchanges(exchange);
    await raw.close();
  });

  describe('wildcard patterns (topic exchange)', () => {
    it('a @MessagePattern with wildcards sees the routing key it was sent with as its pattern', async () => {
      await expect(lastValueFrom(client.send<string>('wildcard.a.b', 1))).resolves.toBe('wildcard.a.b');
      await expect(lastValueFrom(client.send<string>('wildcard.x.y', 1))).resolves.toBe('wildcard.x.y');
    });

    it('so does an @EventPattern with wildcards', async () => {
      const before = received.length;
      await lastValueFrom(client.emit('audit.login', { who: 'ann' }), { defaultValue: undefined });
      await waitFor(() => received.length > before, 'the audit event');
      expect(received[received.length - 1]).toMatchObject({ data: { who: 'ann' }, pattern: 'audit.login' });
    });
  });

  describe('an Observable answer is streamed, every value', () => {
    it('send() emits every value the handler emits, then completes', async () => {
      await expect(lastValueFrom(client.send<number>({ cmd: 'streaming' }, [1, 2, 3, 4, 5]).pipe(toArray()))).resolves.toEqual([1, 2, 3, 4, 5]);
      await expect(lastValueFrom(client.send<number>({ cmd: 'streaming' }, [1, 2, 3, 4, 5]).pipe(scan((a, b) => a + b)))).resolves.toBe(15);
    });

    it('values arrive as they are emitted, before the handler completes', async () => {
      newGate();
      const seen: number[] = [];
      const all = lastValueFrom(
        client.send<number>('stream.gated', {}).pipe(
          tap((value) => {
            seen.push(value);
            if (value === 1) gate.open(); // the handler emits its second value only after the caller saw the first
          }),
          toArray(),
        ),
      );
      await expect(all).resolves.toEqual([1, 2]);
      expect(seen).toEqual([1, 2]);
    });

    it('values emitted before an error reach the caller, then the error', async () => {
      const seen: number[] = [];
      const error = await rejection(lastValueFrom(client.send<number>('stream.broken', {}).pipe(tap((value) => seen.push(value)))));
      expect(seen).toEqual([1, 2]);
      expect(error).toBeInstanceOf(RemoteError);
      expect(error).toMatchObject({ code: 'BROKE', message: 'broke after two' });
    });

    it('an empty stream completes without a value', async () => {
      await expect(lastValueFrom(client.send<number>('stream.empty', {}).pipe(toArray()))).resolves.toEqual([]);
    });

    it("Warren's own RpcClient, which takes one reply, still gets the last value", async () => {
      await expect(warren.rpc.request(exchange, '{"cmd":"streaming"}', [1, 2, 3])).resolves.toBe(3);
    });
  });

  describe('RmqRecordBuilder', () => {
    const userHeaders = { 'x-version': '1.0.0', 'x-tenant': 'acme' };
    type Duplex = { data: unknown; headers: Record<string, unknown>; priority: number; messageId: string; type: string; appId: string; raw: Record<string, unknown> };

    it("send(): the record's data is the payload; its headers arrive exactly as built, its options as set", async () => {
      const record = new RmqRecordBuilder({ items: [1, 2, 3] })
        .setOptions({ headers: userHeaders, priority: 3, messageId: 'm-1', type: 'items.v1', appId: 'parity' })
        .build();
      const answer = await lastValueFrom(client.send<Duplex>('record.duplex', record));
      expect(answer.data).toEqual({ items: [1, 2, 3] });
      expect(answer.headers).toEqual(userHeaders);
      expect(answer).toMatchObject({ priority: 3, messageId: 'm-1', type: 'items.v1', appId: 'parity' });
      // Warren's own additions to a request, and only those (documented), set aside in getRawMessage().
      expect(answer.raw).toEqual({ ...userHeaders, 'warren-timeout-ms': expect.any(Number), 'warren-stream': 'accept' });
    });

    it('send() without headers: the handler sees none, as the sender set none', async () => {
      await expect(lastValueFrom(client.send('record.bare', {}))).resolves.toEqual({ headers: null, fromGetHeaders: {} });
    });

    it('emit(): the event handler gets the data, the headers exactly as built and the priority', async () => {
      const before = received.length;
      const record = new RmqRecordBuilder({ who: 'bob' }).setOptions({ headers: userHeaders, priority: 2 }).build();
      await lastValueFrom(client.emit('audit.logout', record), { defaultValue: undefined });
      await waitFor(() => received.length > before, 'the audit event');
      const event = received[received.length - 1];
      expect(event.data).toEqual({ who: 'bob' });
      expect(event.headers).toEqual(userHeaders);
      expect(event.priority).toBe(2);
    });
  });

  describe('errors', () => {
    it('an RpcException({ code, message, details }) arrives as RemoteError with those details', async () => {
      const error = await rejection(lastValueFrom(client.send('rpc.details', {})));
      expect(error).toBeInstanceOf(RemoteError);
      expect(error).toMatchObject({ code: 'OUT_OF_STOCK', message: 'sku 42 is out of stock' });
      expect(error.details).toEqual({ sku: 42, left: 0 });
    });

    it('an RpcException with a sentence arrives with that message and no details', async () => {
      const error = await rejection(lastValueFrom(client.send('rpc.text', {})));
      expect(error).toMatchObject({ code: 'RPC_EXCEPTION', message: 'just a sentence' });
      expect(error.details).toBeUndefined();
    });

    it("with Nest's default filter a caller learns only 'Internal server error', as on Nest's transports", async () => {
      const error = await rejection(lastValueFrom(client.send('rpc.crash', {})));
      expect(error.message).toBe('Internal server error');
      expect(JSON.stringify(error)).not.toMatch(/hunter2|database/);
    });

    it("with Nest's default filter a failed event's dead letter says why its reason is missing", async () => {
      await lastValueFrom(client.emit('job.default', { id: 'd-1' }), { defaultValue: undefined });
      await waitFor(async () => (await raw.ready(`${queue}.dlq`)) === 1, 'the failed event parked');
      const [parked] = await raw.drain(`${queue}.dlq`);
      const reason = String(parked.properties.headers?.['warren-error']);
      expect(reason).toMatch(/Internal server error/);
      expect(reason).toMatch(/WarrenRpcExceptionFilter/);
      expect(reason).not.toMatch(/hunter2/);
    });

    it('WarrenRpcExceptionFilter({ exposeErrors: false }): callers get Nest’s answer, dead letters the real, redacted reason', async () => {
      const error = await rejection(lastValueFrom(client.send('guarded.crash', {})));
      expect(error.message).toBe('Internal server error');
      expect(JSON.stringify(error)).not.toMatch(/hunter2|internals/);

      await lastValueFrom(client.emit('job.guarded', { id: 'g-1' }), { defaultValue: undefined });
      await waitFor(async () => (await raw.ready(`${queue}.dlq`)) === 1, 'the failed event parked');
      const [parked] = await raw.drain(`${queue}.dlq`);
      const reason = String(parked.properties.headers?.['warren-error']);
      expect(reason).toBe('job g-1 failed: amqp://app:***@db.internal is down');
    });
  });

  describe('a client whose broker is unreachable (a closed local port)', () => {
    it("fails send() with the error shape Nest's RMQ client gives: `err.code` is ECONNREFUSED", async () => {
      const port = await closedPort();
      const offline = new WarrenClient({ uri: `amqp://guest:s3cret@127.0.0.1:${port}`, exchange, logger: false, connection: { connectTimeoutMs: 300 } });
      try {
        const error = await rejection(lastValueFrom(offline.send({ cmd: 'none' }, [1, 2, 3])));
        // What users of Nest's RMQ client map to "broker unreachable" (Nest's own integration test does exactly this).
        const { code } = error?.err ?? error;
        expect(code).toBe('ECONNREFUSED');
        expect(error).toBeInstanceOf(BrokerConnectionError);
        expect(error.url).toBe(`amqp://guest:***@127.0.0.1:${port}`);
        const shown = JSON.stringify({ message: error.message, url: error.url, err: { message: error.err.message, ...error.err } });
        expect(shown).not.toContain('s3cret');

        const emitted = await rejection(lastValueFrom(offline.emit('audit.none', {}), { defaultValue: undefined }));
        expect((emitted?.err ?? emitted).code).toBe('ECONNREFUSED');
      } finally {
        await offline.close();
      }
    });
  });
});

/** The pattern a handler sees on a retried event is still the routing key the event was sent with. */
describe('WarrenRpcContext.getPattern() on a retried event (real broker)', () => {
  const exchange = unique('parity.retry');
  const queue = unique('q.parity.retry');
  const patterns: string[] = [];
  let service: INestMicroservice;
  let client: WarrenClient;
  let raw: RawClient;

  @Controller()
  class FlakyController {
    @EventPattern('flaky.*')
    flaky(@Ctx() ctx: WarrenRpcContext) {
      patterns.push(ctx.getPattern());
      if (patterns.length === 1) throw new Error('first attempt fails');
    }
  }

  beforeAll(async () => {
    raw = await RawClient.connect();
    service = await NestFactory.createMicroservice<MicroserviceOptions>(
      { module: class FlakyModule {}, controllers: [FlakyController] },
      {
        strategy: new WarrenServer({ uri: BROKER_URL, exchange, queue, retry: { attempts: 3, initialDelayMs: 1, mode: 'requeue' }, logger: false }),
        logger: false,
      },
    );
    await service.listen();
    client = new WarrenClient({ uri: BROKER_URL, exchange, logger: false });
  });

  afterAll(async () => {
    await client?.close();
    await service?.close();
    await raw.deleteQueues(queue);
    await raw.deleteExchanges(exchange);
    await raw.close();
  });

  it('the first attempt and the retry both see flaky.job', async () => {
    await lastValueFrom(client.emit('flaky.job', {}), { defaultValue: undefined });
    await waitFor(() => patterns.length === 2, 'the retry');
    expect(patterns).toEqual(['flaky.job', 'flaky.job']);
  });
});
