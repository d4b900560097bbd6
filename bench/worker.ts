/**
 * One benchmark process: runs every scenario for one stack (or the memory run) and prints one
 * `RESULT {json}` line. Separate processes keep stacks from sharing memory, event loop or
 * golevelup's static module state.
 */
import 'reflect-metadata';
import { join } from 'path';
import { Admin, Measurement, batchThroughput, consumeThroughput, endToEnd, memory, publishThroughput, rpcLatency } from './scenarios';
import type { BenchStack } from './stacks/stack';
import { baselineName, prepareBaseline } from './baseline';

type Factory = () => BenchStack;
/**
 * Each stack's modules are loaded only in its own worker, so no worker carries another library's
 * code and memory (the baseline worker would otherwise hold this checkout's Warren and Nest too).
 */
const STACKS: Record<string, () => Promise<Factory>> = {
  raw: () => import('./stacks/raw.stack').then(({ RawStack }) => () => new RawStack()),
  'raw-props': () => import('./stacks/raw.stack').then(({ RawStack }) => () => new RawStack(true)),
  'raw-0.10': () => import('./stacks/raw.stack').then(({ RawStack }) => () => new RawStack(false, '0.10')),
  warren: () => import('./stacks/warren.stack').then(({ WarrenStack }) => () => new WarrenStack()),
  'warren-default': () => import('./stacks/warren.stack').then(({ WarrenStack }) => () => new WarrenStack(true)),
  'warren-plain': () => import('./stacks/warren.stack').then(({ WarrenStack }) => () => new WarrenStack(true, false)),
  'warren-zod': () =>
    Promise.all([import('./stacks/warren.stack'), import('./stacks/warren-runtime')]).then(([{ WarrenStack }, { currentWarren }]) => () => new WarrenStack(true, false, currentWarren(), 'Warren', 'zod')),
  'warren-valibot': () =>
    Promise.all([import('./stacks/warren.stack'), import('./stacks/warren-runtime')]).then(([{ WarrenStack }, { currentWarren }]) => () => new WarrenStack(true, false, currentWarren(), 'Warren', 'valibot')),
  // Warren at BENCH_BASELINE_REF, configured as `warren`: the same stack code on the baseline's build
  // (prepared by run.ts before the passes; here only when a worker is started alone).
  'warren-baseline': async () => {
    const baseline = prepareBaseline(join(__dirname, '..', '..'));
    const [{ WarrenStack }, { warrenAt }] = await Promise.all([import('./stacks/warren.stack'), import('./stacks/warren-runtime')]);
    const runtime = warrenAt(baseline.dir);
    return () => new WarrenStack(false, true, runtime, baselineName(baseline));
  },
  golevelup: () => import('./stacks/golevelup.stack').then(({ GolevelupStack }) => () => new GolevelupStack(false)),
  'golevelup-tuned': () => import('./stacks/golevelup.stack').then(({ GolevelupStack }) => () => new GolevelupStack(true)),
  nest: () => import('./stacks/nest-rmq.stack').then(({ NestRmqStack }) => () => new NestRmqStack(false)),
  'nest-tuned': () => import('./stacks/nest-rmq.stack').then(({ NestRmqStack }) => () => new NestRmqStack(true)),
  'warren-transport': () => import('./stacks/warren-transport.stack').then(({ WarrenTransportStack }) => () => new WarrenTransportStack()),
};

// Nest's RMQ server leaves the promise of a reply it could not send unhandled when its channel
// closes at shutdown; that is the peer's behaviour under test, not a reason to lose the run.
process.on('unhandledRejection', (reason) => {
  process.stderr.write(`bench worker ${process.argv[2]}: unhandled rejection ignored: ${String(reason)}\n`);
});

/** Each scenario by key; the orchestrator runs one per process, stacks interleaved per scenario. */
const SCENARIOS: Record<string, (make: Factory, admin: Admin, id: string, nest: boolean, quick: boolean) => Promise<Measurement[]>> = {
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
      async (make: Factory, admin: Admin, id: string, nest: boolean, quick: boolean) => {
        const measured = await consumeThroughput(make, admin, id, prefetch, quick ? 1_000 : 10_000, nest);
        return [{ ...measured, scenario: `consume, prefetch ${prefetch} (sweep)` }];
      },
    ]),
  ),
};

async function main() {
  const [id, key] = process.argv.slice(2);
  if (!STACKS[id]) throw new Error(`unknown stack ${id}`);
  const make = await STACKS[id]();
  const admin = await Admin.open();
  const nest = id.startsWith('nest');
  const quick = Boolean(process.env.BENCH_QUICK);
  try {
    if (key === 'startup') {
      const { startupCost } = await import('./startup');
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
