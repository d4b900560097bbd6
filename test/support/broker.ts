import * as amqplib from 'amqplib';
import { randomBytes } from 'crypto';
import { waitFor as waitUntil } from 'nestjs-warren/testing';
import { delayQueueName, retryDelays } from '../../libs/warren/src/consumer/failure-policy';
import { DEFAULT_RETRY } from '../../libs/warren/src/warren.constants';
import { TARGET } from './target';

/** The delay steps Warren's default retry policy declares a queue for, computed as Warren does. */
const DEFAULT_RETRY_DELAYS_MS = retryDelays({ ...DEFAULT_RETRY });

/** RABBITMQ_URL, else the default broker (test/support/target.ts derives everything else from it). */
export const BROKER_URL = TARGET.url;

/** A name no other test (or earlier run) uses. */
export function unique(prefix: string): string {
  return `test.${prefix}.${randomBytes(4).toString('hex')}`;
}

/** Polls `condition` until it holds or `timeoutMs` passes; then fails with `what`. */
export function waitFor(condition: () => boolean | Promise<boolean>, what: string, timeoutMs = 10_000): Promise<void> {
  return waitUntil(condition, what, { timeoutMs });
}

/**
 * A plain amqplib client, for setting up and inspecting the broker without Warren, and for
 * proving Warren interoperates with other AMQP clients.
 */
export class RawClient {
  private constructor(
    readonly connection: amqplib.ChannelModel,
    readonly channel: amqplib.ConfirmChannel,
  ) {}

  static async connect(): Promise<RawClient> {
    const connection = await amqplib.connect(BROKER_URL, { noDelay: true });
    const channel = await connection.createConfirmChannel();
    return new RawClient(connection, channel);
  }

  /** Messages ready in `queue` (not counting unacked ones); rejects if the queue does not exist. */
  async ready(queue: string): Promise<number> {
    const channel = await this.connection.createChannel();
    channel.on('error', () => undefined); // a missing queue closes this throwaway channel
    try {
      return (await channel.checkQueue(queue)).messageCount;
    } catch {
      throw new Error(`queue '${queue}' does not exist`);
    } finally {
      await channel.close().catch(() => undefined);
    }
  }

  async queueExists(queue: string): Promise<boolean> {
    const channel = await this.connection.createChannel();
    channel.on('error', () => undefined);
    try {
      await channel.checkQueue(queue);
      await channel.close();
      return true;
    } catch {
      return false;
    }
  }

  async publish(exchange: string, routingKey: string, body: Buffer | string, options: amqplib.Options.Publish = {}): Promise<void> {
    const content = typeof body === 'string' ? Buffer.from(body) : body;
    this.channel.publish(exchange, routingKey, content, options);
    await this.channel.waitForConfirms();
  }

  /** Takes every message currently ready in `queue` (acks them). */
  async drain(queue: string): Promise<amqplib.GetMessage[]> {
    const messages: amqplib.GetMessage[] = [];
    for (let i = 0; i < 100_000; i++) {
      const message = await this.channel.get(queue, { noAck: true });
      if (!message) break;
      messages.push(message);
    }
    return messages;
  }

  /** Deletes each queue with the dead-letter and retry queues Warren declared beside it (default delays). */
  async deleteQueues(...queues: string[]): Promise<void> {
    const derived = (queue: string) => [queue, `${queue}.dlq`, ...DEFAULT_RETRY_DELAYS_MS.map((ms) => delayQueueName(queue, ms))];
    for (const name of queues.flatMap(derived)) await this.channel.deleteQueue(name).catch(() => undefined);
  }

  async deleteExchanges(...exchanges: string[]): Promise<void> {
    for (const exchange of exchanges) await this.channel.deleteExchange(exchange).catch(() => undefined);
  }

  async close(): Promise<void> {
    await this.connection.close().catch(() => undefined);
  }
}
