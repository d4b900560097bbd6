import * as amqplib from 'amqplib';
import { randomBytes } from 'crypto';
import { BROKER_URL, BenchStack, payload } from './stacks/stack';
import { CpuMeter, percentile, until, windowed } from './measure';

export interface Measurement {
  scenario: string;
  /** Higher is better (msgs/s, calls/s) unless `unit` is ms. */
  value: number;
  unit: 'msgs/s' | 'calls/s' | 'ms';
  cpu?: { broker: number; node: number };
  /** CPU µs per message (or call): this process and the broker (beam.smp). */
  cpuUs?: { broker: number; node: number };
  note?: string;
}

const SCALE = process.env.BENCH_QUICK ? 0.1 : 1;
const n = (count: number) => Math.max(100, Math.round(count * SCALE));
const cpu = new CpuMeter();

/** A raw admin connection: declares, fills and deletes the benchmark's queues. */
export class Admin {
  private constructor(
    private readonly connection: amqplib.ChannelModel,
    private readonly channel: amqplib.ConfirmChannel,
  ) {}

  static async open(): Promise<Admin> {
    const connection = await amqplib.connect(BROKER_URL, { noDelay: true });
    return new Admin(connection, await connection.createConfirmChannel());
  }

  async queue(stack: string, scenario: string): Promise<string> {
    const name = `bench.${stack}.${scenario}.${randomBytes(3).toString('hex')}`;
    await this.channel.assertQueue(name, { durable: true });
    return name;
  }

  /** Fills `queue` with `count` messages as the stack under test would publish them. */
  async fill(queue: string, count: number, bytes: number, nestFormat: boolean): Promise<void> {
    for (let i = 0; i < count; i++) {
      const body = nestFormat ? { pattern: 'order.created', data: payload(i, bytes) } : payload(i, bytes);
      this.channel.sendToQueue(queue, Buffer.from(JSON.stringify(body)), { persistent: true, contentType: 'application/json' });
      if (i % 1000 === 999) await this.channel.waitForConfirms();
    }
    await this.channel.waitForConfirms();
  }

  async drop(queue: string): Promise<void> {
    await this.channel.deleteQueue(queue).catch(() => undefined);
  }

  async close(): Promise<void> {
    await this.connection.close().catch(() => undefined);
  }
}

type StackFactory = () => BenchStack;

export async function publishThroughput(make: StackFactory, admin: Admin, id: string, window: number): Promise<Measurement> {
  const stack = make();
  const queue = await admin.queue(id, `pub${window}`);
  try {
    await stack.startProducer(queue);
    await windowed(200, window, 10_000, (i) => stack.publish(payload(i, 256))); // warm-up
    const count = window === 1 ? n(5_000) : n(20_000);
    const start = cpu.sample();
    const { done, seconds } = await windowed(count, window, 10_000, (i) => stack.publish(payload(i, 256)));
    const end = cpu.sample();
    return {
      scenario: `publish, confirms, ${window === 1 ? 'one at a time' : `${window} in flight`}`,
      value: done / seconds,
      unit: 'msgs/s',
      cpu: CpuMeter.percent(start, end),
      cpuUs: CpuMeter.perOp(start, end, done),
      note: done < count ? `${done} in 10 s` : undefined,
    };
  } finally {
    await stack.stop();
    await admin.drop(queue);
  }
}

/** Consume from a pre-filled queue: rate between the first and the last delivery. */
export async function consumeThroughput(make: StackFactory, admin: Admin, id: string, prefetch: number, count: number, nestFormat: boolean): Promise<Measurement> {
  const stack = make();
  const queue = await admin.queue(id, `consume${prefetch}`);
  try {
    await admin.fill(queue, count, 256, nestFormat);
    let received = 0;
    let first = 0;
    let last = 0;
    let start = cpu.sample();
    await stack.startConsumer(queue, prefetch, () => {
      if (received === 0) {
        first = performance.now();
        start = cpu.sample();
      }
      received++;
      last = performance.now();
    });
    await until(() => received >= count, 15_000);
    const end = cpu.sample();
    const seconds = Math.max(1e-6, (last - first) / 1000);
    return {
      scenario: `consume, prefetch ${prefetch}`,
      value: (received - 1) / seconds,
      unit: 'msgs/s',
      cpu: CpuMeter.percent(start, end),
      cpuUs: CpuMeter.perOp(start, end, received - 1),
      note: received < count ? `${received} of ${count} in 15 s` : undefined,
    };
  } finally {
    await stack.stop();
    await admin.drop(queue);
  }
}

/** Publish and consume at the same time, end to end, at a body size. */
export async function endToEnd(make: StackFactory, admin: Admin, id: string, bytes: number, count: number): Promise<Measurement> {
  const stack = make();
  const queue = await admin.queue(id, `e2e${bytes}`);
  try {
    let received = 0;
    await stack.startConsumer(queue, 100, () => received++);
    await stack.startProducer(queue);
    const started = performance.now();
    const begin = cpu.sample();
    const { done } = await windowed(count, 50, 15_000, (i) => stack.publish(payload(i, bytes)));
    await until(() => received >= done, 15_000);
    const seconds = (performance.now() - started) / 1000;
    const label = bytes >= 1024 ? `${bytes / 1024} KiB` : `${bytes} B`;
    const end = cpu.sample();
    return { scenario: `publish + consume, ${label}`, value: received / seconds, unit: 'msgs/s', cpu: CpuMeter.percent(begin, end), cpuUs: CpuMeter.perOp(begin, end, received) };
  } finally {
    await stack.stop();
    await admin.drop(queue);
  }
}

/**
 * Bursts of 1,000 messages: awaited in parallel with `publish`, and (where the stack has one) handed
 * to its batch API in one call. Rates over 10 bursts each.
 */
export async function batchThroughput(make: StackFactory, admin: Admin, id: string): Promise<Measurement[]> {
  const stack = make();
  const queue = await admin.queue(id, 'batch');
  const burst = 1_000;
  const bursts = process.env.BENCH_QUICK ? 2 : 10;
  try {
    await stack.startProducer(queue);
    const bodies = Array.from({ length: burst }, (_, i) => payload(i, 256));
    const parallelBurst = () => Promise.all(bodies.map((body) => stack.publish(body)));
    const batchBurst = () => (stack.publishMany ? stack.publishMany(bodies) : parallelBurst());
    // Both ways warmed up, then measured in alternation, so neither gains from running second (JIT, GC, broker state).
    await parallelBurst();
    await batchBurst();
    // Per way, the summed time and CPU of its bursts, as a sample that starts from zero.
    const zero = { at: 0, node: 0, broker: 0 };
    const totals = { parallel: { ...zero }, batch: { ...zero } };
    // Each way goes first in half the rounds: the second burst of a round ran ~1.1× faster even where
    // both ways are the same code (raw amqplib has no batch API), so a fixed order favoured the batch.
    const ways = [['parallel', parallelBurst], ['batch', batchBurst]] as const;
    for (let b = 0; b < bursts; b++) {
      for (const [key, send] of b % 2 === 0 ? ways : [...ways].reverse()) {
        const start = cpu.sample();
        await send();
        const end = cpu.sample();
        totals[key].at += end.at - start.at;
        totals[key].node += end.node - start.node;
        totals[key].broker += end.broker - start.broker;
      }
    }
    const row = (scenario: string, total: typeof zero): Measurement => ({
      scenario,
      value: (burst * bursts) / total.at,
      unit: 'msgs/s',
      cpu: CpuMeter.percent(zero, total),
      cpuUs: CpuMeter.perOp(zero, total, burst * bursts),
    });
    const parallel = row('burst of 1,000, publish awaited in parallel', totals.parallel);
    const batched = row('burst of 1,000, batch API (publishMany)', totals.batch);
    return [parallel, stack.publishMany ? batched : { ...batched, note: 'no batch API: parallel publishes' }];
  } finally {
    await stack.stop();
    await admin.drop(queue);
  }
}

export async function rpcLatency(make: StackFactory, admin: Admin, id: string): Promise<Measurement[]> {
  const stack = make();
  const queue = await admin.queue(id, 'rpc');
  try {
    await stack.startRpc(queue);
    await windowed(50, 1, 5_000, (i) => stack.call(payload(i, 256))); // warm-up
    const times: number[] = [];
    const sequentialStart = cpu.sample();
    // 3,000 calls: p50 of 1,000 moved ±25% between passes of the same stack on this machine.
    await windowed(n(3_000), 1, 15_000, async (i) => {
      const started = performance.now();
      await stack.call(payload(i, 256));
      times.push(performance.now() - started);
    });
    const sequentialCpu = CpuMeter.perOp(sequentialStart, cpu.sample(), times.length);
    times.sort((a, b) => a - b);
    const note = times.length < n(3_000) ? `${times.length} calls in 15 s` : undefined;
    const concurrentStart = cpu.sample();
    // 20,000 calls, so CPU per call is read over a second or more of work rather than a GC or two.
    const concurrent = await windowed(n(20_000), 50, 20_000, (i) => stack.call(payload(i, 256)));
    const concurrentCpu = CpuMeter.perOp(concurrentStart, cpu.sample(), concurrent.done);
    return [
      { scenario: 'RPC sequential p50', value: percentile(times, 50), unit: 'ms', note, cpuUs: sequentialCpu },
      { scenario: 'RPC sequential p99', value: percentile(times, 99), unit: 'ms', note, cpuUs: sequentialCpu },
      {
        scenario: 'RPC, 50 in flight',
        value: concurrent.done / concurrent.seconds,
        unit: 'calls/s',
        cpuUs: concurrentCpu,
        note: concurrent.done < n(20_000) ? `${concurrent.done} in 20 s` : undefined,
      },
    ];
  } finally {
    await stack.stop();
    await admin.drop(queue);
  }
}

export interface MemorySample {
  messages: number;
  rssMb: number;
  heapMb: number;
}

/** 200,000 messages through publish → consume in one process; RSS and heap every 20,000. */
export async function memory(make: StackFactory, admin: Admin, id: string): Promise<MemorySample[]> {
  const stack = make();
  const queue = await admin.queue(id, 'memory');
  const total = n(200_000);
  const every = total / 10;
  const samples: MemorySample[] = [];
  try {
    let received = 0;
    await stack.startConsumer(queue, 100, () => received++);
    await stack.startProducer(queue);
    let nextSample = every;
    await windowed(total, 100, 180_000, async (i) => {
      await stack.publish(payload(i, 256));
      if (received >= nextSample) {
        nextSample += every;
        (globalThis as { gc?: () => void }).gc?.();
        const usage = process.memoryUsage();
        samples.push({ messages: received, rssMb: usage.rss / 2 ** 20, heapMb: usage.heapUsed / 2 ** 20 });
      }
    });
    await until(() => received >= total, 30_000);
    (globalThis as { gc?: () => void }).gc?.();
    const usage = process.memoryUsage();
    samples.push({ messages: received, rssMb: usage.rss / 2 ** 20, heapMb: usage.heapUsed / 2 ** 20 });
    return samples;
  } finally {
    await stack.stop();
    await admin.drop(queue);
  }
}
