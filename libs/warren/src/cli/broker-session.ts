import * as amqplib from 'amqplib';
import { redactText } from '../logging/redact';
import type { AmqpTarget } from './amqp-url';
import { CommandFailedError, brokerReason } from './cli-errors';
import { escapeControls } from './terminal-text';

/**
 * A channel with an error listener from the moment it exists (an 'error' event without one
 * crashes the process), remembering why the broker closed it.
 */
export class GuardedChannel<T extends amqplib.Channel = amqplib.Channel> {
  closed = false;
  /** The broker's reason for closing the channel, printable. */
  reason?: string;

  constructor(readonly channel: T) {
    channel.on('error', (error: Error) => (this.reason = printableReason(error)));
    channel.on('close', () => (this.closed = true));
  }

  async close(): Promise<void> {
    if (!this.closed) await this.channel.close().catch(() => undefined);
  }
}

/** A broker error as one printable line. */
export function printableReason(error: unknown): string {
  return escapeControls(redactText(brokerReason(error)));
}

/**
 * The CLI's connection: a confirm channel for publishing (opened again when the broker closes it
 * over a refused message), a channel for reading parked messages, and throwaway channels for
 * checks that may fail. Every channel and the connection have error listeners.
 */
export class BrokerSession {
  private writer: GuardedChannel<amqplib.ConfirmChannel>;
  private readerChannel?: GuardedChannel;

  private constructor(
    readonly target: AmqpTarget,
    readonly connection: amqplib.ChannelModel,
    writer: GuardedChannel<amqplib.ConfirmChannel>,
  ) {
    this.writer = writer;
  }

  static async open(target: AmqpTarget): Promise<BrokerSession> {
    let connection: amqplib.ChannelModel;
    try {
      connection = await amqplib.connect(target.connect, { noDelay: true, clientProperties: { connection_name: 'warren-cli' } });
    } catch (error) {
      throw new CommandFailedError(`Cannot connect to ${escapeControls(target.printable)}: ${connectReason(target, error)}`);
    }
    connection.on('error', () => undefined); // the operation that was under way fails and says why
    const writer = new GuardedChannel(await connection.createConfirmChannel());
    return new BrokerSession(target, connection, writer);
  }

  /** The confirm channel for publishing; a fresh one when the broker closed the last. */
  async publisher(): Promise<GuardedChannel<amqplib.ConfirmChannel>> {
    if (this.writer.closed) this.writer = new GuardedChannel(await this.connection.createConfirmChannel());
    return this.writer;
  }

  /** Gives up the publishing channel (its confirm bookkeeping can no longer be trusted). */
  async discardPublisher(): Promise<void> {
    const writer = this.writer;
    writer.closed = true;
    await writer.channel.close().catch(() => undefined);
  }

  /** The channel parked messages are read on (and stay unacknowledged on until settled). */
  async reader(): Promise<GuardedChannel> {
    if (!this.readerChannel || this.readerChannel.closed) this.readerChannel = new GuardedChannel(await this.connection.createChannel());
    return this.readerChannel;
  }

  /** Ready messages in `queue`; a clear error when it does not exist. */
  async count(queue: string): Promise<number> {
    const channel = new GuardedChannel(await this.connection.createChannel());
    try {
      return (await channel.channel.checkQueue(queue)).messageCount;
    } catch (error) {
      throw new CommandFailedError(/NOT_FOUND/.test(String(error)) ? `Queue '${escapeControls(queue)}' does not exist` : printableReason(error));
    } finally {
      await channel.close();
    }
  }

  /** Why the publishing channel was closed by the broker, if it was. */
  lastReason(): string | undefined {
    return this.writer.reason ?? this.readerChannel?.reason;
  }

  /**
   * Closes the channels first: a close-ok proves the broker has every ack sent before it
   * (amqplib may write the connection's close ahead of a channel's last frames).
   */
  async close(): Promise<void> {
    await this.readerChannel?.close();
    await this.writer.close();
    await this.connection.close().catch(() => undefined);
  }
}

/** Why a connect failed, printable; a vhost the broker will not open is named (amqplib's own text does not say). */
function connectReason(target: AmqpTarget, error: unknown): string {
  if (!/Expected ConnectionOpenOk; got <ConnectionClose/.test(String((error as Error)?.message))) return printableReason(error);
  return escapeControls(`vhost '${target.vhost}' does not exist or user '${target.username}' may not use it`);
}
