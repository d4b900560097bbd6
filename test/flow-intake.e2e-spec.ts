import { INestApplication, Injectable, LoggerService } from '@nestjs/common';
import { MessageProducer, RabbitSubscribe, WarrenModule } from 'nestjs-warren';
import { startApp } from './support/app';
import { useFlowFixture } from './support/flow-fixture';
import { waitFor } from './support/broker';
import { Gate, Running, brokerConsumers, consumerCount, consumerOf, range } from './support/flow';

interface Job {
  n: number;
  fail?: boolean;
}

/** Keeps the warnings. */
class WarningLogger implements LoggerService {
  readonly warnings: string[] = [];
  log() {}
  error() {}
  debug() {}
  verbose() {}
  warn(message: unknown) {
    this.warnings.push(String(message));
  }
}

/** What a consumer takes in: `accept` (content types) and `ack: 'auto'` (noAck) (issue 28). */
describe('flow control: accepted content types and auto-ack (real broker)', () => {
  const fixture = useFlowFixture();
  const { apps, gates, queue } = fixture;

  async function start(providers: any[], logger: LoggerService | false = false): Promise<INestApplication> {
    const app = await startApp({ imports: [WarrenModule.forRoot({ logger, shutdown: { drainTimeoutMs: 2000 } })], providers });
    apps.push(app);
    return app;
  }

  it('accept: another content type (or none) is parked at once, naming it, and the handler never runs', async () => {
    const name = queue('accept');
    const seen: unknown[] = [];
    @Injectable()
    class JsonOnly {
      @RabbitSubscribe({ queue: name, accept: ['application/json'], retry: { attempts: 3, mode: 'requeue' } })
      on(body: unknown) {
        seen.push(body);
      }
    }
    await start([JsonOnly]);
    await fixture.raw.publish('', name, 'plain words', { contentType: 'text/plain', messageId: 'text' });
    await fixture.raw.publish('', name, '{"n":0}', { messageId: 'untyped' });
    await fixture.raw.publish('', name, '{"n":1}', { contentType: 'Application/JSON; charset=utf-8', messageId: 'json' });

    await waitFor(async () => (await fixture.raw.ready(`${name}.dlq`)) === 2 && seen.length === 1, 'two parked, one handled');
    expect(seen).toEqual([{ n: 1 }]);
    const parked = new Map((await fixture.raw.drain(`${name}.dlq`)).map((m) => [m.properties.messageId as string, m.properties.headers ?? {}]));
    expect(parked.get('text')?.['warren-error']).toMatch(/JsonOnly\.on does not accept content type 'text\/plain'/);
    expect(parked.get('untyped')?.['warren-error']).toMatch(/does not accept content type \(none\)/);
    for (const headers of parked.values()) {
      expect(headers['warren-error-code']).toBe('UNSUPPORTED_CONTENT_TYPE');
      expect(headers['warren-attempt']).toBe(1); // not retried
    }
  });

  it("ack: 'auto' and golevelup's noAck consume with noAck (ack_required false) and warn; the default still acks", async () => {
    const auto = queue('auto');
    const golevelup = queue('noack');
    const manual = queue('manual');
    const handled: number[] = [];
    @Injectable()
    class Consumers {
      @RabbitSubscribe({ queue: auto, ack: 'auto', retry: false })
      onAuto(job: Job) {
        if (job.fail) throw new Error(`job ${job.n} failed`);
        handled.push(job.n);
      }

      @RabbitSubscribe({ queue: golevelup, queueOptions: { consumerOptions: { noAck: true } }, retry: false })
      onGolevelup(job: Job) {
        handled.push(job.n);
      }

      @RabbitSubscribe({ queue: manual, retry: false })
      onManual(job: Job) {
        handled.push(job.n);
      }
    }
    const logger = new WarningLogger();
    const app = await start([Consumers], logger);

    await waitFor(async () => (await Promise.all([auto, golevelup, manual].map(brokerConsumers))).every((list) => list.length === 1), 'the management API to list the three consumers', 15_000);
    expect((await brokerConsumers(auto))[0].ack_required).toBe(false);
    expect((await brokerConsumers(golevelup))[0].ack_required).toBe(false);
    expect((await brokerConsumers(manual))[0].ack_required).toBe(true);
    const warned = logger.warnings.filter((line) => /ack 'auto' \(noAck\)/.test(line) && /lost if this process crashes/.test(line));
    expect(warned.some((line) => line.includes(`'${auto}'`))).toBe(true);
    expect(warned.some((line) => line.includes(`'${golevelup}'`))).toBe(true);
    expect(warned.some((line) => line.includes(`'${manual}'`))).toBe(false);

    // Handled as usual; a failure is still parked (as a copy: there is nothing to ack).
    const producer = app.get(MessageProducer);
    await producer.publish('', auto, { n: 1 });
    await producer.publish('', auto, { n: 2, fail: true });
    await producer.publish('', golevelup, { n: 3 });
    await producer.publish('', manual, { n: 4 });
    await waitFor(async () => handled.length === 3 && (await fixture.raw.ready(`${auto}.dlq`)) === 1, 'three handled, one parked');
    expect([...handled].sort()).toEqual([1, 3, 4]);
    const [parked] = await fixture.raw.drain(`${auto}.dlq`);
    expect(parked.properties.headers?.['warren-error']).toMatch(/job 2 failed/);
    // Settling nothing on a noAck channel kept it open.
    expect(consumerOf(app, auto).attached).toBe(true);
    expect(consumerOf(app, auto).inFlight).toBe(0);
  });

  it("ack: 'auto' still holds no more than about the prefetch: it stops consuming and the rest waits in the queue", async () => {
    const name = queue('auto.bound');
    const release = new Gate();
    gates.push(release);
    const running = new Running();
    @Injectable()
    class Slow {
      @RabbitSubscribe({ queue: name, ack: 'auto', prefetch: 5, concurrency: 1, retry: false })
      async on(job: Job) {
        running.enter(job.n);
        await release.opened;
        running.leave();
      }
    }
    const app = await start([Slow]);
    const producer = app.get(MessageProducer);
    for (const n of range(200)) await producer.publish('', name, { n });
    await waitFor(async () => (await consumerCount(fixture.raw, name)) === 0 && consumerOf(app, name).inFlight >= 5, 'Warren to stop consuming', 15_000);
    const held = consumerOf(app, name).inFlight;
    expect(held).toBeLessThan(200);
    expect(await fixture.raw.ready(name)).toBe(200 - held);
    release.open();
    await waitFor(() => running.done === 200, 'all 200 handled', 20_000);
    expect(running.started).toEqual(range(200));
  });
});
