import { INestApplication, Injectable } from '@nestjs/common';
import {
  HandlerTimeoutError,
  MessageProducer,
  RabbitPayload,
  RabbitRPC,
  RabbitSignal,
  RabbitSubscribe,
  RemoteError,
  RpcClient,
  WarrenConsumers,
  WarrenModule,
} from 'nestjs-warren';
import { startApp } from './support/app';
import { useFlowFixture } from './support/flow-fixture';
import { unique, waitFor } from './support/broker';
import { Gate, aborted, consumerOf } from './support/flow';

interface Job {
  n: number;
}

/** `timeoutMs`: a handler's deadline aborts its signal and fails the delivery with HANDLER_TIMEOUT (issue 28). */
describe('flow control: handler timeouts (real broker)', () => {
  const fixture = useFlowFixture();
  const { apps, gates, exchanges, queue } = fixture;

  async function start(providers: any[], exchange?: string): Promise<INestApplication> {
    const app = await startApp({
      imports: [WarrenModule.forRoot({ logger: false, shutdown: { drainTimeoutMs: 2000 }, exchanges: exchange ? [{ name: exchange, type: 'topic' }] : [] })],
      providers,
    });
    apps.push(app);
    return app;
  }

  it('a timed-out handler has its signal aborted, is retried by its policy and parked with the timeout in warren-error', async () => {
    const name = queue('timeout');
    const reasons: unknown[] = [];
    @Injectable()
    class Stuck {
      @RabbitSubscribe({ queue: name, timeoutMs: 150, retry: { attempts: 2, mode: 'requeue' } })
      async on(@RabbitPayload() _job: Job, @RabbitSignal() signal: AbortSignal) {
        reasons.push(await aborted(signal)); // then returns normally: a late outcome, ignored
      }
    }
    const app = await start([Stuck]);
    await app.get(MessageProducer).publish('', name, { n: 1 });

    await waitFor(async () => (await fixture.raw.ready(`${name}.dlq`)) === 1, 'the message parked');
    const [parked] = await fixture.raw.drain(`${name}.dlq`);
    const headers = parked.properties.headers ?? {};
    expect(headers['warren-error-code']).toBe('HANDLER_TIMEOUT');
    expect(headers['warren-error']).toMatch(/Stuck\.on did not finish within its timeoutMs \(150 ms\)/);
    expect(headers['warren-attempt']).toBe(2);
    await waitFor(() => reasons.length === 2, 'both attempts saw their signal aborted');
    expect(reasons.every((reason) => reason instanceof HandlerTimeoutError)).toBe(true);
    expect((reasons[0] as HandlerTimeoutError).code).toBe('HANDLER_TIMEOUT');
    // Nothing was settled twice: the consumer is still attached, holding nothing.
    await waitFor(() => consumerOf(app, name).inFlight === 0, 'nothing in flight');
    expect(consumerOf(app, name).attached).toBe(true);
    expect(await fixture.raw.ready(name)).toBe(0);
  });

  it('one that ignores its signal keeps its concurrency slot until it returns, but its message is settled at the deadline', async () => {
    const name = queue('ignores');
    const release = new Gate();
    gates.push(release);
    const started: number[] = [];
    const finished: number[] = [];
    @Injectable()
    class Stubborn {
      @RabbitSubscribe({ queue: name, concurrency: 1, timeoutMs: 100, retry: false, prefetch: 5 })
      async on(job: Job) {
        started.push(job.n);
        if (job.n === 1) await release.opened; // ignores the deadline
        finished.push(job.n);
      }
    }
    const app = await start([Stubborn]);
    const producer = app.get(MessageProducer);
    await producer.publish('', name, { n: 1 });
    await producer.publish('', name, { n: 2 });

    await waitFor(async () => (await fixture.raw.ready(`${name}.dlq`)) === 1, 'the first message parked at its deadline');
    expect(started).toEqual([1]); // the second waits: the slot is still taken
    expect(consumerOf(app, name).inFlight).toBe(2);
    const [parked] = await fixture.raw.drain(`${name}.dlq`);
    expect(JSON.parse(parked.content.toString())).toEqual({ n: 1 });
    expect(parked.properties.headers?.['warren-error-code']).toBe('HANDLER_TIMEOUT');

    release.open();
    await waitFor(() => finished.length === 2, 'both handlers returned');
    expect(started).toEqual([1, 2]);
    await waitFor(() => consumerOf(app, name).inFlight === 0, 'nothing in flight');
    expect(consumerOf(app, name).attached).toBe(true); // the late return of the first settled nothing twice
    expect(await fixture.raw.ready(`${name}.dlq`)).toBe(0);
    expect(await fixture.raw.ready(name)).toBe(0);
  });

  it('an RPC caller gets RemoteError HANDLER_TIMEOUT at once (not its own timeout)', async () => {
    const name = queue('rpc');
    const exchange = unique('x.flow.rpc');
    exchanges.push(exchange);
    @Injectable()
    class SlowRpc {
      @RabbitRPC({ exchange, routingKey: 'slow', queue: name, timeoutMs: 150 })
      async slow(@RabbitSignal() signal: AbortSignal) {
        await aborted(signal);
        return 'too late';
      }
    }
    const app = await start([SlowRpc], exchange);
    const error = await app
      .get(RpcClient)
      .request(exchange, 'slow', {}, { timeoutMs: 8000 })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RemoteError);
    expect((error as RemoteError).code).toBe('HANDLER_TIMEOUT');
    expect((error as RemoteError).message).toMatch(/SlowRpc\.slow did not finish within its timeoutMs \(150 ms\)/);
  });

  it('a run-time consumer takes timeoutMs too, and its fourth parameter is the signal', async () => {
    const name = queue('runtime');
    const app = await start([]);
    const reasons: unknown[] = [];
    await app.get(WarrenConsumers).add(
      { type: 'subscribe', queue: name, timeoutMs: 150, retry: false },
      async (_payload, _message, _headers, signal) => {
        reasons.push(await aborted(signal));
      },
      'runTimeStuck',
    );
    await app.get(MessageProducer).publish('', name, { n: 1 });
    await waitFor(async () => (await fixture.raw.ready(`${name}.dlq`)) === 1, 'the message parked');
    const [parked] = await fixture.raw.drain(`${name}.dlq`);
    expect(parked.properties.headers?.['warren-error-code']).toBe('HANDLER_TIMEOUT');
    expect(parked.properties.headers?.['warren-error']).toMatch(/runTimeStuck did not finish within its timeoutMs \(150 ms\)/);
    await waitFor(() => reasons.length === 1, 'its signal aborted');
    expect(reasons[0]).toBeInstanceOf(HandlerTimeoutError);
  });
});
