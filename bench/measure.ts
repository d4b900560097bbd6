import { readFileSync } from 'fs';
import { execFileSync } from 'child_process';

/** Percentile of sorted numbers (nearest rank). */
export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/** CPU seconds used so far by the broker (beam.smp) and by this process. */
export class CpuMeter {
  private readonly brokerPid = findBrokerPid();
  private readonly ticks = 100; // USER_HZ on Linux

  sample(): { broker: number; node: number; at: number } {
    let broker = NaN;
    if (this.brokerPid) {
      try {
        const fields = readFileSync(`/proc/${this.brokerPid}/stat`, 'utf8').split(') ')[1].split(' ');
        broker = (Number(fields[11]) + Number(fields[12])) / this.ticks;
      } catch {
        broker = NaN;
      }
    }
    const usage = process.cpuUsage();
    return { broker, node: (usage.user + usage.system) / 1e6, at: performance.now() / 1000 };
  }

  /** CPU time between two samples per operation, in µs: what one message or call costs each side. */
  static perOp(start: ReturnType<CpuMeter['sample']>, end: ReturnType<CpuMeter['sample']>, ops: number) {
    const each = (from: number, to: number) => (ops > 0 ? ((to - from) * 1e6) / ops : NaN);
    return { broker: each(start.broker, end.broker), node: each(start.node, end.node) };
  }

  /** CPU use between two samples, in % of one core. */
  static percent(start: ReturnType<CpuMeter['sample']>, end: ReturnType<CpuMeter['sample']>) {
    const wall = end.at - start.at;
    return { broker: (100 * (end.broker - start.broker)) / wall, node: (100 * (end.node - start.node)) / wall };
  }
}

/**
 * The broker's OS process: the one listening on RABBITMQ_URL's port (several RabbitMQ nodes may run here,
 * e.g. scripts/brokers.js), else the only beam.smp there is.
 */
function findBrokerPid(): number | undefined {
  const port = new URL(process.env.RABBITMQ_URL ?? 'amqp://127.0.0.1:5672').port || '5672';
  const run = (command: string, args: string[]) => {
    try {
      return execFileSync(command, args, { timeout: 5_000, stdio: ['ignore', 'pipe', 'ignore'] }).toString();
    } catch {
      return '';
    }
  };
  const listening = /pid=(\d+)/.exec(run('ss', ['-ltnpH', `sport = :${port}`]))?.[1];
  if (listening) return Number(listening);
  const beams = run('pgrep', ['-f', 'beam.smp']).trim().split('\n').filter(Boolean);
  return beams.length === 1 ? Number(beams[0]) : undefined;
}

/** Resolves when `condition()` holds, or rejects after `timeoutMs`. Polls every 2 ms. */
export async function until(condition: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
  return true;
}

/**
 * Runs `task(i)` for i = 0..count-1 with `window` in flight, stopping early at `timeoutMs`.
 * Returns how many completed and how long it took.
 */
export async function windowed(count: number, window: number, timeoutMs: number, task: (i: number) => Promise<unknown>) {
  const started = performance.now();
  const deadline = Date.now() + timeoutMs;
  let next = 0;
  let done = 0;
  const worker = async () => {
    while (next < count && Date.now() < deadline) {
      await task(next++);
      done++;
    }
  };
  await Promise.all(Array.from({ length: Math.min(window, count) }, worker));
  return { done, seconds: (performance.now() - started) / 1000 };
}
