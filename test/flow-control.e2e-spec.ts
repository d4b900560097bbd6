import { Controller, INestApplication, INestMicroservice, Injectable } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { EventPattern, MicroserviceOptions, Payload } from '@nestjs/microservices';
import { lastValueFrom } from 'rxjs';
import { MessageHandlerOptions, MessageProducer, RabbitSubscribe, Warren, WarrenConfigurationError, WarrenConsumers, WarrenModule } from 'nestjs-warren';
import { WarrenClient, WarrenServer } from 'nestjs-warren/microservices';
import { startApp } from './support/app';
import { useFlowFixture } from './support/flow-fixture';
import { BROKER_URL, unique, waitFor } from './support/broker';
import { Running, consumerOf, range } from './support/flow';

interface Job {
  n: number;
}

/** `concurrency`: how many invocations of one handler run at once, whatever the prefetch (issue 28). */
describe('flow control: concurrency (real broker)', () => {
  const fixture = useFlowFixture();
  const { apps, exchanges, queue, gate } = fixture;

  async function start(providers: any[], exchange?: string): Promise<INestApplication> {
    const exchangesOption = exchange ? [{ name: exchange, type: 'topic' }] : [];
    const app = await startApp({ imports: [WarrenModule.forRoot({ logger: false, exchanges: exchangesOption })], providers });
    apps.push(app);
    return app;
  }

  /** The start-up's error; an app that started anyway is closed with the others. */
  async function startOrFail(providers: any[]): Promise<unknown> {
    const started = await startApp({ imports: [WarrenModule.forRoot({ logger: false })], providers }).catch((error: unknown) => error);
    if (!(started instanceof Error)) apps.push(started as INestApplication);
    return started;
  }

  it('prefetch 20, concurrency 3, 30 slow messages: 20 are delivered, at most 3 run, they start in arrival order', async () => {
    const name = queue('three');
    const release = gate();
    const running = new Running();
    @Injectable()
    class Slow {
      @RabbitSubscribe({ queue: name, prefetch: 20, concurrency: 3, retry: false })
      async on(job: Job) {
        running.enter(job.n);
        await release.opened;
        running.leave();
      }
    }
    const app = await start([Slow]);
    const producer = app.get(MessageProducer);
    for (const n of range(30)) await producer.publish('', name, { n });

    await waitFor(() => consumerOf(app, name).inFlight === 20 && running.now === 3, '20 delivered, 3 running');
    expect(running.now).toBe(3);
    expect(await fixture.raw.ready(name)).toBe(10); // the rest wait in the broker, as the prefetch says

    release.open();
    await waitFor(() => running.done === 30, 'all 30 handled');
    expect(running.max).toBe(3);
    expect(running.started).toEqual(range(30));
  });

  it('is per handler when handlers share a queue: 1 for one, 2 for the other', async () => {
    const name = queue('shared');
    const exchange = unique('x.flow');
    exchanges.push(exchange);
    const release = gate();
    const a = new Running();
    const b = new Running();
    @Injectable()
    class Shared {
      @RabbitSubscribe({ exchange, routingKey: 'a', queue: name, prefetch: 20, concurrency: 1, retry: false })
      async onA(job: Job) {
        a.enter(job.n);
        await release.opened;
        a.leave();
      }

      @RabbitSubscribe({ exchange, routingKey: 'b', queue: name, prefetch: 20, concurrency: 2, retry: false })
      async onB(job: Job) {
        b.enter(job.n);
        await release.opened;
        b.leave();
      }
    }
    const app = await start([Shared], exchange);
    const producer = app.get(MessageProducer);
    for (const n of range(5)) {
      await producer.publish(exchange, 'a', { n });
      await producer.publish(exchange, 'b', { n });
    }

    await waitFor(() => consumerOf(app, name).inFlight === 10 && a.now === 1 && b.now === 2, 'all 10 delivered, 1 + 2 running');
    expect([a.now, b.now]).toEqual([1, 2]);
    release.open();
    await waitFor(() => a.done === 5 && b.done === 5, 'all handled');
    expect([a.max, b.max]).toEqual([1, 2]);
    expect(a.started).toEqual(range(5));
    expect(b.started).toEqual(range(5));
  });

  it('WarrenServer: handlerOptions.concurrency for every pattern, a pattern\'s extras for its own', async () => {
    const exchange = unique('x.flow.ms');
    const name = queue('ms');
    exchanges.push(exchange);
    const release = gate();
    const byDefault = new Running();
    const own = new Running();
    @Controller()
    class Jobs {
      @EventPattern('job.default')
      async onDefault(@Payload() job: Job) {
        byDefault.enter(job.n);
        await release.opened;
        byDefault.leave();
      }

      @EventPattern('job.own', { concurrency: 1 })
      async onOwn(@Payload() job: Job) {
        own.enter(job.n);
        await release.opened;
        own.leave();
      }
    }
    const server = new WarrenServer({ uri: BROKER_URL, exchange, queue: name, prefetch: 20, retry: false, logger: false, handlerOptions: { concurrency: 2 } });
    let service: INestMicroservice | undefined;
    const client = new WarrenClient({ uri: BROKER_URL, exchange, logger: false });
    try {
      service = await NestFactory.createMicroservice<MicroserviceOptions>({ module: class JobsModule {}, controllers: [Jobs] }, { strategy: server, logger: false });
      await service.listen();
      await client.connect();
      for (const n of range(6)) {
        await lastValueFrom(client.emit('job.default', { n }), { defaultValue: undefined });
        await lastValueFrom(client.emit('job.own', { n }), { defaultValue: undefined });
      }
      const consumers = server.unwrap<Warren>().consumers;
      const inFlight = () => consumers.list().find((c) => c.queue === name)?.inFlight;
      await waitFor(() => inFlight() === 12 && byDefault.now === 2 && own.now === 1, 'all 12 delivered, 2 + 1 running');
      expect([byDefault.now, own.now]).toEqual([2, 1]);
      release.open();
      await waitFor(() => byDefault.done === 6 && own.done === 6, 'all handled');
      expect([byDefault.max, own.max]).toEqual([2, 1]);
    } finally {
      release.open();
      await client.close();
      await service?.close();
    }
  });

  it('rejects bad flow options at start-up, naming the handler and the option', async () => {
    const name = queue('invalid');
    const cases: Array<[MessageHandlerOptions, RegExp]> = [
      [{ concurrency: 0 }, /Bad\.on: option concurrency/],
      [{ concurrency: 1.5 }, /option concurrency/],
      [{ timeoutMs: -1 }, /option timeoutMs/],
      [{ circuitBreaker: { failureRate: 1.5, minimumCalls: 5, windowMs: 1000, pauseMs: 1000 } }, /option circuitBreaker\.failureRate/],
      [{ circuitBreaker: { failureRate: 0.5, minimumCalls: 0, windowMs: 1000, pauseMs: 1000 } }, /option circuitBreaker\.minimumCalls/],
      [{ circuitBreaker: { failureRate: 0.5, minimumCalls: 5, windowMs: 1000 } as never }, /option circuitBreaker\.pauseMs/],
      [{ accept: 'application/json' as never }, /option accept/],
      [{ ack: 'sometimes' as never }, /option ack/],
      [{ concurrency: 2, batchOptions: { size: 5 } }, /concurrency does not apply to a batch handler/],
    ];
    for (const [options, message] of cases) {
      @Injectable()
      class Bad {
        @RabbitSubscribe({ queue: name, retry: false, ...options })
        on() {
          return undefined;
        }
      }
      const error = await startOrFail([Bad]);
      expect(error).toBeInstanceOf(WarrenConfigurationError);
      expect((error as Error).message).toMatch(message);
    }
    // Run-time consumers are checked as they are added.
    const app = await start([]);
    const added = await app
      .get(WarrenConsumers)
      .add({ type: 'subscribe', queue: name, timeoutMs: 0 }, () => undefined, 'runTime')
      .catch((e: unknown) => e);
    expect(added).toBeInstanceOf(WarrenConfigurationError);
    expect((added as Error).message).toMatch(/runTime: option timeoutMs/);
  });

  it('handlers sharing a queue must agree on the ack mode', async () => {
    const name = queue('ack.mix');
    @Injectable()
    class Mixed {
      @RabbitSubscribe({ queue: name, routingKey: 'a', ack: 'auto', retry: false })
      auto() {
        return undefined;
      }

      @RabbitSubscribe({ queue: name, routingKey: 'b', retry: false })
      manual() {
        return undefined;
      }
    }
    const error = await startOrFail([Mixed]);
    expect(error).toBeInstanceOf(WarrenConfigurationError);
    expect((error as Error).message).toMatch(/Mixed\.auto and Mixed\.manual share queue/);
  });
});
