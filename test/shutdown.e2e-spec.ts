import { ChildProcess, spawn } from 'child_process';
import { join } from 'path';
import { RawClient, unique, waitFor } from './support/broker';
import { onLines } from './support/lines';

const FIXTURE = join(__dirname, '..', 'dist', 'test', 'fixtures', 'shutdown-app.js');

interface Run {
  child: ChildProcess;
  started: Set<number>;
  done: Set<number>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>;
}

function launch(env: Record<string, string>): Run {
  const child = spawn(process.execPath, [FIXTURE], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const run: Run = {
    child,
    started: new Set(),
    done: new Set(),
    exited: new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal, at: Date.now() }))),
  };
  onLines(child.stdout!, (line) => {
    const [word, id] = line.split(' ');
    if (word === 'START') run.started.add(Number(id));
    if (word === 'DONE') run.done.add(Number(id));
    if (word === 'READY') child.emit('ready');
  });
  child.stderr!.on('data', (chunk: Buffer) => process.stderr.write(`[child] ${chunk.toString()}`));
  return run;
}

/**
 * SIGTERM to a service with slow messages in flight: consumers are cancelled, in-flight handlers
 * finish (or, past the drain timeout, their messages go back), and the process exits in time.
 * Every message ends either acked after its handler finished or back in the queue.
 */
describe('graceful shutdown of a child process (real broker)', () => {
  let raw: RawClient;
  const queues: string[] = [];

  beforeAll(async () => {
    raw = await RawClient.connect();
  });

  afterAll(async () => {
    await raw.deleteQueues(...queues);
    await raw.close();
  });

  async function flood(queue: string, count: number): Promise<void> {
    queues.push(queue);
    await raw.channel.assertQueue(queue, { durable: true });
    for (let id = 0; id < count; id++) raw.channel.sendToQueue(queue, Buffer.from(JSON.stringify({ id })), { persistent: true });
    await raw.channel.waitForConfirms();
  }

  async function shutdownScenario(options: { handlerMs: number; drainMs: number; prefetch: number }) {
    const queue = unique('q.shutdown');
    const total = 100;
    await flood(queue, total);
    const run = launch({ QUEUE: queue, HANDLER_MS: String(options.handlerMs), DRAIN_MS: String(options.drainMs), PREFETCH: String(options.prefetch) });
    try {
      await new Promise<void>((resolve, reject) => {
        run.child.once('ready', resolve);
        run.exited.then(() => reject(new Error('child exited before it was ready')));
      });
      await waitFor(() => run.started.size >= options.prefetch, `${options.prefetch} messages in flight`);
      const signalledAt = Date.now();
      run.child.kill('SIGTERM');
      let timer: NodeJS.Timeout | undefined;
      const exit = await Promise.race([
        run.exited,
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error('child did not exit within 20 s')), 20_000);
        }),
      ]).finally(() => clearTimeout(timer));
      const remaining = await raw.drain(queue);
      const backInQueue = new Set(remaining.map((m) => (JSON.parse(m.content.toString()) as { id: number }).id));
      return { exit, exitMs: exit.at - signalledAt, run, backInQueue, total };
    } finally {
      if (run.child.exitCode === null && run.child.signalCode === null) run.child.kill('SIGKILL');
    }
  }

  it('finishes in-flight handlers, acks them, and leaves the rest in the queue', async () => {
    const { exit, exitMs, run, backInQueue, total } = await shutdownScenario({ handlerMs: 300, drainMs: 5_000, prefetch: 10 });
    // Nest re-raises the signal after its shutdown hooks ran: a clean SIGTERM exit.
    expect(exit.signal === 'SIGTERM' || exit.code === 0).toBe(true);
    expect(exitMs).toBeLessThan(5_000);
    // Everything that started also finished: no handler was cut off.
    expect([...run.started].filter((id) => !run.done.has(id))).toEqual([]);
    // Acked ones are exactly the finished ones; every other message is back in the queue.
    for (const id of run.done) expect(backInQueue.has(id)).toBe(false);
    expect(run.done.size + backInQueue.size).toBe(total);
    process.stdout.write(`shutdown (drain): processed ${run.done.size}, back in queue ${backInQueue.size}, exit after ${exitMs} ms\n`);
  });

  it('chaos 5: 100 slow messages in flight at SIGTERM are all finished and acked, none lost', async () => {
    const { exit, exitMs, run, backInQueue, total } = await shutdownScenario({ handlerMs: 1_000, drainMs: 5_000, prefetch: 100 });
    expect(exit.signal === 'SIGTERM' || exit.code === 0).toBe(true);
    expect(run.started.size).toBe(100);
    expect(exitMs).toBeLessThan(5_000);
    expect(run.done.size).toBe(100);
    expect(backInQueue.size).toBe(0);
    expect(run.done.size + backInQueue.size).toBe(total);
    process.stdout.write(`chaos 5: in flight ${run.started.size}, processed ${run.done.size}, requeued ${backInQueue.size}, lost 0, exit after ${exitMs} ms\n`);
  });

  it('returns unfinished messages to the queue when handlers outlast the drain timeout, and exits in time', async () => {
    const { exit, exitMs, run, backInQueue, total } = await shutdownScenario({ handlerMs: 10_000, drainMs: 1_000, prefetch: 100 });
    expect(exit.signal === 'SIGTERM' || exit.code === 0).toBe(true);
    expect(exitMs).toBeGreaterThanOrEqual(900); // it did wait for the handlers
    expect(exitMs).toBeLessThan(1_000 + 2_000); // ...but no longer than the drain timeout allows
    expect(run.done.size).toBe(0);
    expect(run.started.size).toBe(100);
    // Nothing lost: all 100, every one of them in flight, are back.
    expect(backInQueue.size).toBe(total);
    for (const id of run.started) expect(backInQueue.has(id)).toBe(true);
    process.stdout.write(`shutdown (timeout): in flight ${run.started.size}, requeued, all ${backInQueue.size} back in queue, exit after ${exitMs} ms\n`);
  });
});
