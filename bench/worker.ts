/**
 * One benchmark process: runs every scenario for one stack (or the memory run) and prints one
 * `RESULT {json}` line. Separate processes keep stacks from sharing memory, event loop or
 * golevelup's static module state.
 */
import 'reflect-metadata';
import { Admin, Measurement, consumeThroughput, endToEnd, memory, publishThroughput, rpcLatency } from './scenarios';
import { BenchStack } from './stacks/stack';
import { GolevelupStack } from './stacks/golevelup.stack';
import { NestRmqStack } from './stacks/nest-rmq.stack';
import { RawStack } from './stacks/raw.stack';
import { WarrenStack } from './stacks/warren.stack';

export const STACKS: Record<string, () => BenchStack> = {
  raw: () => new RawStack(),
  warren: () => new WarrenStack(),
  golevelup: () => new GolevelupStack(false),
  'golevelup-tuned': () => new GolevelupStack(true),
  nest: () => new NestRmqStack(false),
  'nest-tuned': () => new NestRmqStack(true),
};

// Nest's RMQ server leaves the promise of a reply it could not send unhandled when its channel
// closes at shutdown; that is the peer's behaviour under test, not a reason to lose the run.
process.on('unhandledRejection', (reason) => {
  process.stderr.write(`bench worker ${process.argv[2]}: unhandled rejection ignored: ${String(reason)}\n`);
});

async function main() {
  const [id, mode] = process.argv.slice(2);
  const make = STACKS[id];
  if (!make) throw new Error(`unknown stack ${id}`);
  const admin = await Admin.open();
  const nest = id.startsWith('nest');
  const quick = Boolean(process.env.BENCH_QUICK);
  try {
    if (mode === 'memory') {
      process.stdout.write(`RESULT ${JSON.stringify({ id, memory: await memory(make, admin, id) })}\n`);
      return;
    }
    // Warm-up: JIT, class metadata caches and connection paths, measured and thrown away.
    await consumeThroughput(make, admin, id, 100, quick ? 500 : 5_000, nest);
    await rpcLatency(make, admin, id);
    const results: Measurement[] = [];
    results.push(await publishThroughput(make, admin, id, 50));
    results.push(await publishThroughput(make, admin, id, 1));
    results.push(await consumeThroughput(make, admin, id, 100, quick ? 2_000 : 20_000, nest));
    results.push(...(await rpcLatency(make, admin, id)));
    results.push(await endToEnd(make, admin, id, 256, quick ? 1_000 : 10_000));
    results.push(await endToEnd(make, admin, id, 4_096, quick ? 1_000 : 10_000));
    results.push(await endToEnd(make, admin, id, 65_536, quick ? 200 : 2_000));
    for (const prefetch of [1, 10, 100, 500]) {
      const measured = await consumeThroughput(make, admin, id, prefetch, quick ? 1_000 : 10_000, nest);
      results.push({ ...measured, scenario: `consume, prefetch ${prefetch} (sweep)` });
    }
    process.stdout.write(`RESULT ${JSON.stringify({ id, results })}\n`);
  } finally {
    await admin.close();
  }
}

main()
  .then(() => process.exit(0))
  .catch((error: unknown) => {
    process.stderr.write(`bench worker ${process.argv[2]} failed: ${error instanceof Error ? error.stack : String(error)}\n`);
    process.exit(1);
  });
