/**
 * The cluster rows of `npm run bench` (also `npm run bench:cluster`): competing consumers in 1, 2 and 4
 * processes on one classic and one quorum queue, on the single broker and on the local 3-node cluster
 * (started here with scripts/cluster.js and removed afterwards), and the cost of a quorum queue against a
 * classic one for publishing with confirms. Medians of BENCH_PASSES (default 3) passes; results in
 * bench/results/cluster.{md,json}.
 */
import { ChildProcess, spawn } from 'child_process';
import { writeFileSync } from 'fs';
import { join } from 'path';
import { randomBytes } from 'crypto';
import * as amqplib from 'amqplib';
import { createWarren } from 'nestjs-warren';
import { median } from '../measure';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const cluster = require(join(__dirname, '..', '..', '..', 'scripts', 'cluster.js')) as typeof import('../../scripts/cluster');

const ROOT = join(__dirname, '..', '..', '..');
const PASSES = Number(process.env.BENCH_PASSES ?? 3);
const MESSAGES = Number(process.env.BENCH_CLUSTER_MESSAGES ?? 10_000);
const PROCESSES = [1, 2, 4];
const TYPES = ['classic', 'quorum'] as const;
const BODY = { data: 'x'.repeat(240) };
const SINGLE = process.env.RABBITMQ_URL ?? 'amqp://guest:guest@127.0.0.1:5672';

type QueueType = (typeof TYPES)[number];
interface Row {
  target: string;
  type: QueueType;
  publishPerSec: number[];
  publishCpuUs: number[];
  consumePerSec: Record<number, number[]>;
}

// Declared as the consumers declare it: `deadLetterQueue: false` leaves a quorum queue without a
// delivery limit (a limit with nowhere to park would drop messages), so none is set here either.
const queueArguments = (type: QueueType) => (type === 'quorum' ? { 'x-queue-type': 'quorum' } : {});
const rotate = (uris: string[], by: number) => uris.map((_, i) => uris[(i + by) % uris.length]);

/** Publishes MESSAGES with confirms, 50 in flight, through Warren's producer; returns msgs/s and this process's CPU µs per message. */
async function publish(uris: string[], queue: string): Promise<{ perSec: number; cpuUs: number }> {
  const warren = await createWarren({ uri: uris, logger: false, connection: { name: 'bench-publisher' } });
  try {
    let next = 0;
    const cpu = process.cpuUsage();
    const started = process.hrtime.bigint();
    await Promise.all(
      Array.from({ length: 50 }, async () => {
        while (next < MESSAGES) {
          next++;
          await warren.producer.publish('', queue, BODY);
        }
      }),
    );
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    const used = process.cpuUsage(cpu);
    return { perSec: MESSAGES / seconds, cpuUs: (used.user + used.system) / MESSAGES };
  } finally {
    await warren.close();
  }
}

/** Starts `count` consumer processes (each on a different first node), waits until they took every message; returns msgs/s. */
async function consume(uris: string[], queue: string, type: QueueType, count: number): Promise<number> {
  const children: ChildProcess[] = [];
  const counts: number[] = new Array(count).fill(0);
  const times: Array<[number, number, number]> = [];
  const ready: Array<Promise<void>> = [];
  for (let i = 0; i < count; i++) {
    const child = spawn(process.execPath, [join(__dirname, 'consumer-process.js')], {
      env: { ...process.env, URIS: rotate(uris, i).join(','), QUEUE: queue, QUEUE_TYPE: type },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    children.push(child);
    ready.push(
      new Promise((resolve, reject) => {
        let buffer = '';
        child.stdout!.on('data', (chunk: Buffer) => {
          buffer += chunk.toString();
          const lines = buffer.split('\n');
          buffer = lines.pop()!;
          for (const line of lines) {
            if (line === 'READY') resolve();
            else if (line.startsWith('C ')) counts[i] = Number(line.slice(2));
            else if (line.startsWith('T ')) times.push(line.slice(2).split(' ').map(Number) as [number, number, number]);
          }
        });
        child.once('exit', (code) => reject(new Error(`consumer process exited with ${code}`)));
      }),
    );
  }
  try {
    await Promise.all(ready);
    const deadline = Date.now() + 180_000;
    while (counts.reduce((a, b) => a + b, 0) < MESSAGES - 500 * count && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    // The last partial 500 of each process is not reported until exit: let them finish, then stop them.
    await new Promise((r) => setTimeout(r, 500));
  } finally {
    await Promise.all(children.map((child) => new Promise((resolve) => (child.exitCode !== null ? resolve(undefined) : (child.once('exit', resolve), child.kill('SIGTERM'))))));
  }
  const total = times.reduce((sum, [, , n]) => sum + n, 0);
  if (total < MESSAGES) throw new Error(`consumers took ${total} of ${MESSAGES} messages`);
  const first = Math.min(...times.filter(([, , n]) => n > 0).map(([f]) => f));
  const last = Math.max(...times.map(([, l]) => l));
  return MESSAGES / ((last - first) / 1000);
}

async function measure(target: string, uris: string[], type: QueueType, row: Row): Promise<void> {
  const admin = await amqplib.connect(uris[0]);
  const channel = await admin.createChannel();
  try {
    for (const processes of PROCESSES) {
      const queue = `bench.cluster.${type}.${randomBytes(3).toString('hex')}`;
      await channel.assertQueue(queue, { durable: true, arguments: queueArguments(type) });
      const published = await publish(uris, queue);
      row.publishPerSec.push(published.perSec);
      row.publishCpuUs.push(published.cpuUs);
      (row.consumePerSec[processes] ??= []).push(await consume(uris, queue, type, processes));
      await channel.deleteQueue(queue);
      process.stdout.write(`  ${target} ${type} ×${processes}: publish ${Math.round(published.perSec)}/s, consume ${Math.round(row.consumePerSec[processes].at(-1)!)}/s\n`);
    }
  } finally {
    await admin.close().catch(() => undefined);
  }
}

async function main() {
  process.stdout.write(`Cluster bench: ${MESSAGES} messages of ~256 B per run, ${PASSES} pass(es)\n`);
  const rows: Row[] = [];
  const row = (target: string, type: QueueType) => {
    let found = rows.find((r) => r.target === target && r.type === type);
    if (!found) rows.push((found = { target, type, publishPerSec: [], publishCpuUs: [], consumePerSec: {} }));
    return found;
  };
  const clusterUris = await cluster.up();
  try {
    for (let pass = 1; pass <= PASSES; pass++) {
      process.stdout.write(`pass ${pass}\n`);
      for (const [target, uris] of [['single node', [SINGLE]], ['3-node cluster', clusterUris]] as Array<[string, string[]]>) {
        for (const type of TYPES) await measure(target, uris, type, row(target, type));
      }
    }
  } finally {
    await cluster.down();
  }
  const fmt = (values: number[]) => Math.round(median(values)).toLocaleString('en-US');
  const lines = [
    '| broker | queue | publish, confirms, 50 in flight (msgs/s) | publisher CPU µs/msg | 1 consumer process | 2 processes | 4 processes |',
    '|---|---|---:|---:|---:|---:|---:|',
    ...rows.map(
      (r) =>
        `| ${r.target} | ${r.type} | ${fmt(r.publishPerSec)} | ${median(r.publishCpuUs).toFixed(1)} | ${PROCESSES.map((p) => fmt(r.consumePerSec[p])).join(' | ')} |`,
    ),
  ];
  const quorumCost = ['single node', '3-node cluster'].map((target) => {
    const classic = rows.find((r) => r.target === target && r.type === 'classic')!;
    const quorum = rows.find((r) => r.target === target && r.type === 'quorum')!;
    return `${target}: quorum publishes at ${(median(quorum.publishPerSec) / median(classic.publishPerSec)).toFixed(2)}× the classic rate`;
  });
  const markdown = `# Cluster bench\n\n${new Date().toISOString()}, ${MESSAGES} messages per run, medians of ${PASSES} pass(es); consumers in separate processes (prefetch 100 each), each process connecting first to a different node.\n\n${lines.join('\n')}\n\n${quorumCost.map((l) => `- ${l}`).join('\n')}\n`;
  writeFileSync(join(ROOT, 'bench', 'results', 'cluster.md'), markdown);
  writeFileSync(join(ROOT, 'bench', 'results', 'cluster.json'), JSON.stringify({ messages: MESSAGES, passes: PASSES, rows }, null, 2));
  process.stdout.write(`\n${markdown}`);
}

main().catch((error) => {
  process.stderr.write(`${error.stack ?? error}\n`);
  process.exit(1);
});
