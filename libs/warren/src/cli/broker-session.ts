import * as amqplib from 'amqplib';
import { safeUri } from '../logging/redact';

/** The CLI's connection: one confirm channel; a throwaway channel for checks that may fail. */
export class BrokerSession {
  private constructor(
    readonly url: string,
    readonly connection: amqplib.ChannelModel,
    readonly channel: amqplib.ConfirmChannel,
  ) {}

  static async open(url: string): Promise<BrokerSession> {
    let connection: amqplib.ChannelModel;
    try {
      connection = await amqplib.connect(url, { noDelay: true, clientProperties: { connection_name: 'warren-cli' } });
    } catch (error) {
      throw new Error(`Cannot connect to ${safeUri(url)}: ${(error as Error).message}`);
    }
    const channel = await connection.createConfirmChannel();
    return new BrokerSession(url, connection, channel);
  }

  /** Ready messages in `queue`; a clear error when it does not exist. */
  async count(queue: string): Promise<number> {
    const channel = await this.connection.createChannel();
    channel.on('error', () => undefined);
    try {
      return (await channel.checkQueue(queue)).messageCount;
    } catch {
      throw new Error(`Queue '${queue}' does not exist`);
    } finally {
      await channel.close().catch(() => undefined);
    }
  }

  /**
   * Closes the channel first: its close-ok proves the broker has every ack sent before it
   * (amqplib may write the connection's close ahead of a channel's last frames).
   */
  async close(): Promise<void> {
    await this.channel.close().catch(() => undefined);
    await this.connection.close().catch(() => undefined);
  }
}
