/**
 * One benchmark process: runs every scenario for one stack (or the memory run) and prints one
 * `RESULT {json}` line. Separate processes keep stacks from sharing memory, event loop or
 * golevelup's static module state.
 */
import 'reflect-metadata';
import { Admin, Measurement, batchThroughput, consumeThroughput, endToEnd, memory, publishThroughput, rpcLatency } from './scenarios';
import { BenchStack } from './stacks/stack';
import { startupCost } from './startup';
import { GolevelupStack } from './stacks/golevelup.stack';
import { NestRmqStack } from './stacks/nest-rmq.stack';
import { RawStack } from './stacks/raw.stack';
import { WarrenStack } from './stacks/warren.stack';
import { WarrenTransportStack } from './stacks/warren-transport.stack';

const STACKS: Record<string, () => BenchStack> = {
  raw: () => new RawStack(),
  'raw-props': () => new RawStack(true),
  'raw-0.10': () => new RawStack(false, '0.10'),
  warren: () => new WarrenStack(),
  'warren-default': () => new WarrenStack(true),
  'warren-plain': () => new WarrenStack(true, false),
  golevelup: () => new GolevelupStack(false),
  'golevelup-tuned': () => new GolevelupStack(true),
  nest: () => new NestRmqStack(false),
  'nest-tuned': () => new NestRmqStack(true),
  'warren-transport': () => new WarrenTransportStack(),
};

// Nest's RMQ server leaves the promise of a reply it could not send unhandled when its channel
// closes at shutdown; that is the peer's behaviour under test, not a reason to lose the run.
process.on('unhandledRejection', (reason) => {
  process.stderr.write(`bench worker ${process.argv[2]}: unhandled rejection ignored: ${String(reason)}\n`);
});

/** Each scenario by key; the orchestrator runs one per process, stacks interleaved per scenario. */
const SCENARIOS: Record<string, (make: () => BenchStack, admin: Admin, id: string, nest: boolean, quick: boolean) => Promise<Measurement[]>> = {
  pub50: async (make, admin, id) => [await publishThroughput(make, admin, id, 50)],
  pub1: async (make, admin, id) => [await publishThroughput(make, admin, id, 1)],
  consume: async (make, admin, id, nest, quick) => [await consumeThroughput(make, admin, id, 100, quick ? 2_000 : 20_000, nest)],
  rpc: (make, admin, id) => rpcLatency(make, admin, id),
  batch: (make, admin, id) => batchThroughput(make, admin, id),
  e2e256: async (make, admin, id, _nest, quick) => [await endToEnd(make, admin, id, 256, quick ? 1_000 : 10_000)],
  e2e4k: async (make, admin, id, _nest, quick) => [await endToEnd(make, admin, id, 4_096, quick ? 1_000 : 10_000)],
  e2e64k: async (make, admin, id, _nest, quick) => [await endToEnd(make, admin, id, 65_536, quick ? 200 : 2_000)],
  ...Object.fromEntries(
    [1, 10, 100, 500].map((prefetch) => [
      `prefetch${prefetch}`,
      async (make: () => BenchStack, admin: Admin, id: string, nest: boolean, quick: boolean) => {
        const measured = await consumeThroughput(make, admin, id, prefetch, quick ? 1_000 : 10_000, nest);
        return [{ ...measured, scenario: `consume, prefetch ${prefetch} (sweep)` }];
      },
    ]),
  ),
};

async function main() {
  const [id, key] = process.argv.slice(2);
  const make = STACKS[id];
  if (!make) throw new Error(`unknown stack ${id}`);
  const admin = await Admin.open();
  const nest = id.startsWith('nest');
  const quick = Boolean(process.env.BENCH_QUICK);
  try {
    if (key === 'startup') {
      process.stdout.write(`RESULT ${JSON.stringify({ id, startup: await startupCost() })}\n`);
      return;
    }
    if (key === 'memory') {
      process.stdout.write(`RESULT ${JSON.stringify({ id, memory: await memory(make, admin, id) })}\n`);
      return;
    }
    const scenario = SCENARIOS[key];
    if (!scenario) throw new Error(`unknown scenario ${key}`);
    // Warm-up in this process (JIT, metadata caches, connection paths), measured and thrown away.
    await consumeThroughput(make, admin, id, 100, quick ? 300 : 2_000, nest);
    if (key === 'rpc') await rpcLatency(make, admin, id);
    const results = await scenario(make, admin, id, nest, quick);
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
