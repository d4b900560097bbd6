import * as amqplib from 'amqplib';
import * as cluster from '../../scripts/cluster';

export { cluster };

/** Figures the cluster tests print (docs/clusters-and-versions.md quotes them). */
export function report(test: string, figures: Record<string, string | number>): void {
  const text = Object.entries(figures)
    .map(([name, value]) => `${name}=${value}`)
    .join(' ');
  process.stderr.write(`[cluster figures] ${test}: ${text}\n`);
}

/** The node id ('n2') a `WarrenStatus` node URI such as amqp://guest:***@127.0.0.1:5682 is on. */
export function nodeIdOf(uri: string | undefined): string | undefined {
  if (!uri) return undefined;
  const port = Number(new URL(uri.replace('***', 'x')).port);
  return cluster.NODES.find((node) => node.amqpPort === port)?.id;
}

export function uriOf(id: string): string {
  return `amqp://guest:guest@127.0.0.1:${cluster.nodeOf(id).amqpPort}`;
}

/** A plain amqplib connection to one node, for declaring, publishing and counting without Warren. */
export class NodeClient {
  private constructor(
    readonly connection: amqplib.ChannelModel,
    readonly channel: amqplib.ConfirmChannel,
  ) {}

  static async connect(id: string): Promise<NodeClient> {
    const connection = await amqplib.connect(uriOf(id));
    connection.on('error', () => undefined);
    const channel = await connection.createConfirmChannel();
    channel.on('error', () => undefined);
    return new NodeClient(connection, channel);
  }

  async declareQuorum(queue: string, args: Record<string, unknown> = {}): Promise<void> {
    await this.channel.assertQueue(queue, { durable: true, arguments: { 'x-queue-type': 'quorum', ...args } });
  }

  /** Publishes JSON bodies in confirmed batches of 500. */
  async publishAll(queue: string, bodies: object[]): Promise<void> {
    for (let i = 0; i < bodies.length; i += 500) {
      for (const body of bodies.slice(i, i + 500)) {
        this.channel.sendToQueue(queue, Buffer.from(JSON.stringify(body)), { contentType: 'application/json', persistent: true });
      }
      await this.channel.waitForConfirms();
    }
  }

  async count(queue: string): Promise<number> {
    return (await this.channel.checkQueue(queue)).messageCount;
  }

  /** Takes every message in `queue` (bounded by a deadline) and returns the parsed bodies. */
  async takeAll(queue: string, timeoutMs = 60_000): Promise<Array<Record<string, unknown>>> {
    const expected = await this.count(queue);
    const bodies: Array<Record<string, unknown>> = [];
    const channel = await this.connection.createChannel();
    await channel.prefetch(1000);
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`took ${bodies.length} of ${expected} messages from ${queue} in ${timeoutMs} ms`)), timeoutMs);
      if (expected === 0) {
        clearTimeout(timer);
        resolve();
        return;
      }
      void channel.consume(queue, (message) => {
        if (!message) return;
        bodies.push(JSON.parse(message.content.toString()));
        channel.ack(message);
        if (bodies.length >= expected) {
          clearTimeout(timer);
          resolve();
        }
      });
    });
    await channel.close();
    return bodies;
  }

  async close(): Promise<void> {
    await this.connection.close().catch(() => undefined);
  }
}

/** Starts a node again if a test stopped it, and waits for all three to run (for `finally` blocks). */
export async function restoreCluster(): Promise<void> {
  await Promise.all(cluster.NODES.map((node) => cluster.start(node.id)));
  await cluster.awaitRunning(3, 120_000);
}
