import { ChildProcess, spawn } from 'child_process';
import { join } from 'path';
import { INestApplication, Injectable } from '@nestjs/common';
import { MessageProducer, RabbitSubscribe, WarrenModule, WarrenStatus } from 'nestjs-warren';
import { closeAll, startApp } from '../support/app';
import { unique, waitFor } from '../support/broker';
import { onLines } from '../support/lines';
import { NodeClient, cluster, nodeIdOf, report, restoreCluster, uriOf } from './support';

const CRASH_FIXTURE = join(__dirname, '..', '..', 'dist', 'test', 'fixtures', 'crash-app.js');
const ALL = ['n1', 'n2', 'n3'];

/**
 * Warren on a real 3-node cluster (scripts/cluster.js): quorum queues, a node that dies under
 * load, the queue leader's node dying mid-consume, a crash-looping message, and a start with one
 * node down. Every test restores the cluster in `finally`, and every loop is bounded.
 */
describe('on a 3-node cluster', () => {
  let apps: INestApplication[] = [];
  const clients: NodeClient[] = [];

  async function client(id: string): Promise<NodeClient> {
    const made = await NodeClient.connect(id);
    clients.push(made);
    return made;
  }

  afterEach(async () => {
    await closeAll(...apps);
    apps = [];
    await Promise.all(clients.splice(0).map((c) => c.close()));
    await restoreCluster();
  });

  it('loses no confirmed publish when the node the app is connected to is killed and started again', async () => {
    const queue = unique('cluster.publish');
    const admin = await client('n3');
    await admin.declareQuorum(queue);
    const app = await startApp({
      imports: [
        WarrenModule.forRoot({
          uri: ALL.map(uriOf),
          logger: false,
          connection: { name: 'cluster-publisher', reconnectDelayMs: 200 },
          publish: { timeoutMs: 60_000, maxBufferedMessages: 20_000 },
        }),
      ],
    });
    apps.push(app);
    const producer = app.get(MessageProducer);
    const victim = nodeIdOf(app.get(WarrenStatus).check().connection.node)!;
    expect(victim).toBe('n1'); // the first URI that answers

    const total = 10_000;
    const confirmed = new Set<number>();
    const failures: string[] = [];
    let next = 0;
    let lastConfirmAt = Date.now();
    let longestPauseMs = 0;
    let killedAt = 0;
    let restart: Promise<void> | undefined;
    const worker = async () => {
      while (next < total) {
        const i = next++;
        try {
          await producer.publish('', queue, { i }, { messageId: String(i), persistent: true });
          confirmed.add(i);
          const now = Date.now();
          longestPauseMs = Math.max(longestPauseMs, now - lastConfirmAt);
          lastConfirmAt = now;
          if (confirmed.size === 2_000 && !killedAt) {
            killedAt = now;
            await cluster.kill(victim);
            restart = cluster.start(victim);
          }
        } catch (error) {
          failures.push(`${i}: ${(error as Error).message}`);
        }
      }
    };
    const startedAt = Date.now();
    await Promise.all(Array.from({ length: 100 }, worker));
    const elapsedMs = Date.now() - startedAt;
    await restart;
    expect(killedAt).toBeGreaterThan(0);
    expect(nodeIdOf(app.get(WarrenStatus).check().connection.node)).not.toBe(victim);

    const bodies = await admin.takeAll(queue);
    const seen = new Set(bodies.map((body) => body.i as number));
    const lost = [...confirmed].filter((i) => !seen.has(i));
    report('publish through a node kill', {
      confirmed: confirmed.size,
      failed: failures.length,
      lost: lost.length,
      duplicates: bodies.length - seen.size,
      longestPauseMs,
      elapsedMs,
    });
    expect(failures).toEqual([]);
    expect(lost).toEqual([]);
    expect(confirmed.size).toBe(total);
    await admin.channel.deleteQueue(queue);
  });

  it("resumes consuming on another node when the queue leader's node is killed mid-consume", async () => {
    const queue = unique('cluster.consume');
    const total = 2_000;
    // Queue leaders are placed on the declaring client's node: n1, the node the app connects to first.
    const declarer = await client('n1');
    await declarer.declareQuorum(queue); // as Warren declares it: no dead-letter queue, so no delivery limit
    const publisher = await client('n3');
    await publisher.publishAll(queue, Array.from({ length: total }, (_, i) => ({ i })));
    const leader = cluster.queueLeader(queue)!;
    expect(leader).toBe('n1@localhost');
    const victim = leader.split('@')[0];

    const handled = new Map<number, number>();
    @Injectable()
    class Worker {
      @RabbitSubscribe({ queue, queueType: 'quorum', deadLetterQueue: false, retry: false, prefetch: 20 })
      async work(message: { i: number }) {
        await new Promise((resolve) => setTimeout(resolve, 2));
        handled.set(message.i, (handled.get(message.i) ?? 0) + 1);
      }
    }
    const app = await startApp({
      imports: [WarrenModule.forRoot({ uri: ALL.map(uriOf), logger: false, connection: { name: 'cluster-consumer', reconnectDelayMs: 200 } })],
      providers: [Worker],
    });
    apps.push(app);
    expect(nodeIdOf(app.get(WarrenStatus).check().connection.node)).toBe(victim);

    await waitFor(() => handled.size >= 500, '500 messages handled before the kill', 60_000);
    const killedAt = Date.now();
    const handledAtKill = handled.size;
    await cluster.kill(victim);
    await waitFor(() => handled.size > handledAtKill, 'consumption resumed after the kill', 60_000);
    const resumedAfterMs = Date.now() - killedAt;
    await waitFor(() => handled.size === total, `all ${total} messages handled`, 90_000);
    const status = app.get(WarrenStatus).check();
    const duplicates = [...handled.values()].reduce((sum, n) => sum + n - 1, 0);
    report('consume through a leader kill', { handled: handled.size, duplicates, resumedAfterMs, newNode: nodeIdOf(status.connection.node) ?? 'none' });
    expect(nodeIdOf(status.connection.node)).not.toBe(victim);
    expect(status.consumers[0]).toMatchObject({ queue, attached: true });
    await waitFor(async () => (await publisher.count(queue)) === 0, 'the queue is empty (everything acked)', 30_000);
    await publisher.channel.deleteQueue(queue);
  });

  it('dead-letters a message that kills its consumer process after deliveryLimit deliveries, then handles the next', async () => {
    const queue = unique('cluster.crash');
    const deliveryLimit = 3;
    const env = { QUEUE: queue, URIS: ALL.map(uriOf).join(','), DELIVERY_LIMIT: String(deliveryLimit), PREFETCH: '1' };
    const children: ChildProcess[] = [];
    const handled: string[] = [];
    // A consumer process; `ready` resolves once it consumes, `exited` with its exit code (it may crash before it is ready).
    const launch = () => {
      const child = spawn(process.execPath, [CRASH_FIXTURE], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
      children.push(child);
      const exited = new Promise<number | null>((done) => child.on('exit', (code) => done(code)));
      let markReady!: () => void;
      const ready = new Promise<void>((resolve) => (markReady = resolve));
      onLines(child.stdout!, (line) => {
        if (line === 'READY') markReady();
        if (line.startsWith('HANDLED ')) handled.push(line.slice('HANDLED '.length));
      });
      child.stderr!.on('data', (chunk: Buffer) => process.stderr.write(`[crash-app] ${chunk.toString()}`));
      return { ready, exited };
    };
    try {
      const first = launch();
      // The first process declares the queue and its dead-letter queue.
      const early = await Promise.race([first.ready.then(() => undefined), first.exited]);
      expect(early).toBeUndefined();
      const publisher = await client('n2');
      await publisher.publishAll(queue, [{ id: 'poison', crash: true }, { id: 'next' }]);
      let crashes = 0;
      let current = first;
      // A supervisor's restart loop, bounded: the limit must end it well before 3 extra rounds.
      for (let round = 0; round < deliveryLimit + 4 && !handled.includes('next'); round++) {
        const outcome = await Promise.race([
          current.exited.then(() => 'crashed' as const),
          waitFor(() => handled.includes('next'), 'the next message handled', 30_000).then(() => 'handled' as const),
        ]);
        if (outcome === 'handled') break;
        expect(await current.exited).toBe(3); // the handler's process.exit(3), not a start-up failure
        crashes++;
        current = launch();
      }
      await waitFor(() => handled.includes('next'), 'the next message handled', 30_000);
      await waitFor(async () => (await publisher.count(`${queue}.dlq`)) === 1, 'the poison message parked', 30_000);
      const [parked] = await publisher.takeAll(`${queue}.dlq`);
      report('crash loop', { deliveryLimit, crashes, handled: handled.join(',') });
      expect(parked).toEqual({ id: 'poison', crash: true });
      expect(crashes).toBe(deliveryLimit + 1);
      expect(handled).toEqual(['next']);
      await publisher.channel.deleteQueue(queue);
      await publisher.channel.deleteQueue(`${queue}.dlq`);
    } finally {
      for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
      await Promise.all(children.map((child) => (child.exitCode === null && child.signalCode === null ? new Promise((r) => child.once('exit', r)) : undefined)));
    }
  });

  it('starts with the first node down, on the next one, and works there', async () => {
    const queue = unique('cluster.start');
    await cluster.stop('n1');
    const received: string[] = [];
    @Injectable()
    class Listener {
      @RabbitSubscribe({ queue, queueType: 'quorum' })
      on(message: { id: string }) {
        received.push(message.id);
      }
    }
    const startedAt = Date.now();
    const app = await startApp({
      imports: [WarrenModule.forRoot({ uri: ALL.map(uriOf), logger: false, connection: { name: 'cluster-late', reconnectDelayMs: 200 } })],
      providers: [Listener],
    });
    apps.push(app);
    const startMs = Date.now() - startedAt;
    const status = app.get(WarrenStatus).check();
    report('start with n1 down', { startMs, node: nodeIdOf(status.connection.node) ?? 'none' });
    expect(status).toMatchObject({ up: true, connection: { connected: true } });
    expect(nodeIdOf(status.connection.node)).toBe('n2');
    await app.get(MessageProducer).publish('', queue, { id: 'hello' });
    await waitFor(() => received.length === 1, 'the message handled');
    expect(received).toEqual(['hello']);
    const admin = await client('n2');
    await admin.channel.deleteQueue(queue);
    await admin.channel.deleteQueue(`${queue}.dlq`);
  });
});
