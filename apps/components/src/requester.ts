import 'reflect-metadata';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ComponentClient, ComponentRegistry, ComponentsModule, RemoteError, WarrenModule } from 'nestjs-warren';

/** What IntSummator offers, as callers see it. */
interface IntSummatorApi {
  int_sum(args: { a: number; b: number }): number;
}

@Module({ imports: [WarrenModule.forRoot({ connection: { name: 'requester' }, logger: false }), ComponentsModule.forRoot()] })
class RequesterModule {}

/** Calls IntSummator with valid and invalid arguments and prints what comes back, one line each. */
async function main() {
  const app = await NestFactory.createApplicationContext(RequesterModule, { logger: false });
  await app.init();
  try {
    await app.get(ComponentRegistry).waitFor('IntSummator', { timeoutMs: 15_000 });
    const summator = app.get(ComponentClient).get<IntSummatorApi>('IntSummator');
    const attempts: Array<[string, () => Promise<unknown>]> = [
      ['int_sum({ a: 1, b: 2 })', () => summator.int_sum({ a: 1, b: 2 })],
      ["int_sum({ a: 'one', b: 2 })", () => summator.int_sum({ a: 'one' as unknown as number, b: 2 })],
      ['int_sum({ a: 1.5, b: 2 })', () => summator.int_sum({ a: 1.5, b: 2 })],
      ["call('IntSummator', 'int_product', ...)", () => app.get(ComponentClient).call('IntSummator', 'int_product', { a: 1, b: 2 })],
      ["call('IntMultiplier', 'int_sum', ...)", () => app.get(ComponentClient).call('IntMultiplier', 'int_sum', { a: 1, b: 2 })],
    ];
    for (const [label, attempt] of attempts) {
      try {
        process.stdout.write(`RESULT ${label} = ${JSON.stringify(await attempt())}\n`);
      } catch (error) {
        const e = error as RemoteError;
        process.stdout.write(`ERROR ${label} -> ${e.code}: ${e.message}\n`);
      }
    }
  } finally {
    await app.close();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`requester failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
