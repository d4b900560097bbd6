import { INestApplication, Injectable } from '@nestjs/common';
import { metrics } from '@opentelemetry/api';
import { MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics';
import { CircuitBreakerOptions, MessageProducer, RabbitSubscribe, WarrenConsumers, WarrenModule, WarrenStatus } from 'nestjs-warren';
import type { ConsumerEvent } from '../libs/warren/src/consumer/consumer-events';
import { WarrenOrchestrator } from '../libs/warren/src/warren.orchestrator';
import { startApp } from './support/app';
import { useFlowFixture } from './support/flow-fixture';
import { waitFor } from './support/broker';
import { Gate, Running, brokerConsumers, consumerCount, consumerOf, range } from './support/flow';

interface Job {
  n: number;
}

class OnDemandReader extends MetricReader {
  protected onForceFlush(): Promise<void> {
    return Promise.resolve();
  }

  protected onShutdown(): Promise<void> {
    return Promise.resolve();
  }
}

/** `circuitBreaker`: a handler that fails too often stops its queue being consumed, then tries again (issue 28). */
describe('flow control: circuit breaker (real broker)', () => {
  const reader = new OnDemandReader();
  const fixture = useFlowFixture();
  const { apps, gates, queue } = fixture;

  beforeAll(() => {
    metrics.setGlobalMeterProvider(new MeterProvider({ readers: [reader] }));
  });

  afterAll(() => {
    metrics.disable();
  });

  async function start(providers: any[]): Promise<INestApplication> {
    const app = await startApp({ imports: [WarrenModule.forRoot({ logger: false, shutdown: { drainTimeoutMs: 2000 } })], providers });
    apps.push(app);
    return app;
  }

  async function trips(name: string): Promise<number> {
    const { resourceMetrics } = await reader.collect();
    return resourceMetrics.scopeMetrics
      .flatMap((scope) => scope.metrics)
      .filter((m) => m.descriptor.name === 'warren.circuit_breaker.trips')
      .flatMap((m) => m.dataPoints as Array<{ value: number; attributes: Record<string, unknown> }>)
      .filter((point) => point.attributes['messaging.destination.name'] === name)
      .reduce((sum, point) => sum + point.value, 0);
  }

  it('trips, stops consuming (paused by the breaker, health up), and recovers half-open: a failure re-opens, successes close', async () => {
    const name = queue('breaker');
    const breaker: CircuitBreakerOptions = { failureRate: 0.5, minimumCalls: 4, windowMs: 60_000, pauseMs: 1500 };
    let failing = true;
    const calls: number[] = [];
    @Injectable()
    class Downstream {
      @RabbitSubscribe({ queue: name, prefetch: 1, retry: false, circuitBreaker: breaker })
      on(job: Job) {
        calls.push(job.n);
        if (failing) throw new Error('downstream is down');
      }
    }
    const app = await start([Downstream]);
    const events: string[] = [];
    app.get(WarrenOrchestrator).consumerEvents.on('consumer-paused', (event: ConsumerEvent) => event.queue === name && events.push(`paused:${event.cause}`));
    app.get(WarrenOrchestrator).consumerEvents.on('consumer-resumed', (event: ConsumerEvent) => event.queue === name && events.push(`resumed:${event.cause}`));
    const producer = app.get(MessageProducer);
    for (const n of range(4)) await producer.publish('', name, { n });

    // Open: the consumer is cancelled on the broker; what arrives now stays in the queue.
    await waitFor(() => consumerOf(app, name).pausedBy.includes('circuit-breaker'), 'the breaker to open');
    await waitFor(async () => (await consumerCount(fixture.raw, name)) === 0, 'no consumer on the broker');
    for (const n of range(6).map((i) => i + 4)) await producer.publish('', name, { n });
    expect(await fixture.raw.ready(name)).toBe(6);
    expect(calls).toEqual([0, 1, 2, 3]);
    const status = app.get(WarrenStatus).check();
    expect(status.up).toBe(true);
    const reported = status.consumers.find((c) => c.queue === name)!;
    expect(reported).toMatchObject({ paused: true, pausedBy: ['circuit-breaker'], attached: false });
    expect(reported.circuitBreakers).toEqual([{ handler: 'Downstream.on', state: 'open', trips: 1 }]);
    expect(await trips(name)).toBe(1);
    expect(await fixture.raw.ready(`${name}.dlq`)).toBe(4);

    // Half-open after pauseMs: the first trial fails, so it opens again.
    await waitFor(() => consumerOf(app, name).circuitBreakers?.[0].trips === 2, 'the failed trial to re-open it', 10_000);
    expect(calls).toEqual([0, 1, 2, 3, 4]);
    await waitFor(async () => (await consumerCount(fixture.raw, name)) === 0, 'no consumer on the broker again');
    expect(await fixture.raw.ready(name)).toBe(5);
    expect(await trips(name)).toBe(2);

    // The next trial succeeds: closed again, everything left is consumed.
    failing = false;
    await waitFor(() => calls.length === 10 && consumerOf(app, name).circuitBreakers?.[0].state === 'closed', 'the breaker to close and the queue to empty', 10_000);
    expect(calls).toEqual(range(10));
    expect(consumerOf(app, name)).toMatchObject({ paused: false, pausedBy: [], attached: true });
    expect(await consumerCount(fixture.raw, name)).toBe(1);
    expect(await fixture.raw.ready(`${name}.dlq`)).toBe(5);
    expect(events).toEqual(['paused:circuit-breaker', 'resumed:circuit-breaker', 'paused:circuit-breaker', 'resumed:circuit-breaker']);
  });

  it('half-open consumes with the trial prefetch only; once closed it takes the full prefetch again', async () => {
    const name = queue('breaker.prefetch');
    let failing = true;
    const hold = new Gate();
    gates.push(hold);
    const handled: number[] = [];
    @Injectable()
    class Flaky {
      @RabbitSubscribe({ queue: name, prefetch: 10, retry: false, circuitBreaker: { failureRate: 1, minimumCalls: 2, windowMs: 60_000, pauseMs: 1000 } })
      async on(job: Job) {
        if (failing) throw new Error('still down');
        await hold.opened;
        handled.push(job.n);
      }
    }
    const app = await start([Flaky]);
    const producer = app.get(MessageProducer);
    await waitFor(async () => (await brokerConsumers(name))[0]?.prefetch_count === 10, 'the management API to list the consumer', 15_000);
    for (const n of range(2)) await producer.publish('', name, { n });
    await waitFor(() => consumerOf(app, name).pausedBy.includes('circuit-breaker'), 'the breaker to open');
    failing = false;
    for (const n of range(10).map((i) => i + 2)) await producer.publish('', name, { n });

    await waitFor(() => consumerOf(app, name).circuitBreakers?.[0].state === 'half-open' && consumerOf(app, name).inFlight === 2, 'two trial deliveries');
    await waitFor(async () => (await brokerConsumers(name))[0]?.prefetch_count === 2, 'the trial prefetch on the broker', 15_000);
    expect(await fixture.raw.ready(name)).toBe(8);
    hold.open();
    await waitFor(() => handled.length === 10, 'everything handled once closed');
    expect(consumerOf(app, name).circuitBreakers?.[0].state).toBe('closed');
    await waitFor(async () => (await brokerConsumers(name))[0]?.prefetch_count === 10, 'the full prefetch again', 15_000);
  });

  it('deliveries waiting for a concurrency slot when it trips go back to the queue, not to the handler', async () => {
    const name = queue('breaker.return');
    const release = new Gate();
    gates.push(release);
    const running = new Running();
    @Injectable()
    class Failing {
      @RabbitSubscribe({ queue: name, prefetch: 10, concurrency: 1, retry: false, circuitBreaker: { failureRate: 1, minimumCalls: 2, windowMs: 60_000, pauseMs: 60_000 } })
      async on(job: Job) {
        running.enter(job.n);
        if (job.n === 0) await release.opened;
        running.leave();
        throw new Error('always fails');
      }
    }
    const app = await start([Failing]);
    const producer = app.get(MessageProducer);
    for (const n of range(10)) await producer.publish('', name, { n });
    await waitFor(() => consumerOf(app, name).inFlight === 10, 'all ten delivered');
    release.open();

    await waitFor(() => consumerOf(app, name).pausedBy.includes('circuit-breaker'), 'the breaker to open');
    await waitFor(async () => (await fixture.raw.ready(name)) === 8, 'the eight that had not started back in the queue');
    expect(running.started).toEqual([0, 1]);
    expect(await fixture.raw.ready(`${name}.dlq`)).toBe(2);
    expect(consumerOf(app, name).inFlight).toBe(0);
  });

  it('a user pause and the breaker are separate causes: resuming by hand does not close an open breaker', async () => {
    const name = queue('breaker.user');
    @Injectable()
    class Failing {
      @RabbitSubscribe({ queue: name, prefetch: 1, retry: false, circuitBreaker: { failureRate: 1, minimumCalls: 1, windowMs: 60_000, pauseMs: 60_000 } })
      on() {
        throw new Error('always fails');
      }
    }
    const app = await start([Failing]);
    await app.get(MessageProducer).publish('', name, { n: 0 });
    await waitFor(() => consumerOf(app, name).pausedBy.includes('circuit-breaker'), 'the breaker to open');
    const consumers = app.get(WarrenConsumers);
    await consumers.pause(name);
    expect(consumerOf(app, name).pausedBy).toEqual(['user', 'circuit-breaker']);
    await consumers.resume(name);
    expect(consumerOf(app, name).pausedBy).toEqual(['circuit-breaker']);
    expect(await consumerCount(fixture.raw, name)).toBe(0);
  });
});
