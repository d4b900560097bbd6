/**
 * Cost as the work grows (Warren only): one app with N subscriber queues (100, 1,000, 5,000), each a
 * handler entry of the module's `handlers` option, as `test/many-queues.e2e-spec.ts` builds it.
 * Measures the time to `init()` (declare, bind, consume every queue), the RSS it added, and the
 * time to close. Run in its own process by bench/run.ts.
 */
import { Injectable, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { randomBytes } from 'crypto';
import { RabbitSubscribe, WarrenModule } from 'nestjs-warren';
import { BROKER_URL } from './stacks/stack';

export interface StartupSample {
  handlers: number;
  startMs: number;
  rssMb: number;
  closeMs: number;
}

@Injectable()
class Fan {
  @RabbitSubscribe({ name: 'fan' })
  on() {}
}

export async function startupCost(counts = [100, 1_000, 5_000]): Promise<StartupSample[]> {
  const samples: StartupSample[] = [];
  for (const handlers of counts) {
    const prefix = `bench.startup.${randomBytes(3).toString('hex')}`;
    const entries = Array.from({ length: handlers }, (_, i) => ({ queue: `${prefix}.${i}`, retry: false as const, deadLetterQueue: false as const, queueOptions: { autoDelete: true } }));
    @Module({ imports: [WarrenModule.forRoot({ uri: BROKER_URL, logger: false, handlers: { fan: entries } })], providers: [Fan] })
    class StartupModule {}
    (globalThis as { gc?: () => void }).gc?.();
    const rssBefore = process.memoryUsage().rss;
    const started = performance.now();
    const app = await NestFactory.createApplicationContext(StartupModule, { logger: false });
    await app.init();
    const startMs = performance.now() - started;
    (globalThis as { gc?: () => void }).gc?.();
    const rssMb = (process.memoryUsage().rss - rssBefore) / 2 ** 20;
    const closing = performance.now();
    await app.close();
    samples.push({ handlers, startMs, rssMb, closeMs: performance.now() - closing });
  }
  return samples;
}
