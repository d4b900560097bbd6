import type { AmqpConnectionManager } from 'amqp-connection-manager';
import type { Channel, ChannelModel } from 'amqplib';
import { WarrenLogger } from '../logging/warren-logger';
import { MESSAGES } from '../warren.messages';
import { ConnectionLostError } from '../errors/connection.error';

export interface ManagedChannelOptions {
  /** Shown in logs. */
  name: string;
  /** Open a confirm channel (publisher confirms). */
  confirm: boolean;
  /** Runs on every new channel before it is handed out: topology, prefetch, consumers. */
  setup?: (channel: Channel) => Promise<void>;
  /** First pause before re-opening a channel the broker closed; doubles up to 30 s. */
  reopenDelayMs: number;
}

export interface ChannelListener {
  /** A new channel is open and set up. */
  opened?(channel: Channel): void;
  /** `channel` is gone; `error` is the broker's reason when it closed it. */
  lost?(channel: Channel, error: (Error & { code?: number }) | undefined): void;
  /** Setting up a new channel failed. */
  setupFailed?(error: Error): void;
}

const MAX_REOPEN_DELAY_MS = 30_000;

/**
 * One AMQP channel that comes back by itself: after a reconnect (amqp-connection-manager's
 * 'connect') and also after the broker closed just this channel (e.g. a publish to a missing
 * exchange), which amqp-connection-manager's own ChannelWrapper does not recover from.
 * Callers always see either the current open channel or `undefined`, never a dead one.
 */
export class ManagedChannel {
  private current?: Channel;
  private opening = false;
  private closed = false;
  private reopenTimer?: NodeJS.Timeout;
  private reopenDelayMs: number;
  /** Channels that have closed; deliveries from them must never be settled. */
  private readonly dead = new WeakSet<Channel>();

  constructor(
    private readonly manager: AmqpConnectionManager,
    private readonly options: ManagedChannelOptions,
    private readonly listener: ChannelListener,
    private readonly logger: WarrenLogger,
  ) {
    this.reopenDelayMs = options.reopenDelayMs;
    manager.on('connect', this.onConnect);
    if (manager.connection) void this.open(manager.connection);
  }

  /** The open channel, or `undefined` while there is none. */
  get channel(): Channel | undefined {
    return this.current;
  }

  /** False once `channel` has closed: acks for its deliveries would fail (they are redelivered anyway). */
  isLive(channel: Channel): boolean {
    return !this.dead.has(channel);
  }

  /**
   * Closes the current channel and opens a fresh one, for a channel whose state can no longer be
   * trusted (amqplib threw half-way through a publish). Listeners see it as lost at once.
   */
  recycle(reason: string): void {
    const channel = this.current;
    if (!channel || this.closed) return;
    this.dead.add(channel);
    this.current = undefined;
    this.logger.warn(MESSAGES.channelRecycled(this.options.name, reason));
    this.listener.lost?.(channel, undefined);
    channel.close().catch(() => undefined);
    const connection = this.manager.connection;
    if (connection) void this.open(connection);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.reopenTimer);
    this.manager.removeListener('connect', this.onConnect);
    const channel = this.current;
    this.current = undefined;
    if (channel) await channel.close().catch(() => undefined);
  }

  private readonly onConnect = ({ connection }: { connection: ChannelModel }): void => {
    void this.open(connection);
  };

  private async open(connection: ChannelModel): Promise<void> {
    if (this.closed || this.opening || this.current) return;
    this.opening = true;
    let channel: Channel | undefined;
    let lastError: (Error & { code?: number }) | undefined;
    try {
      const opened: Channel = this.options.confirm ? await connection.createConfirmChannel() : await connection.createChannel();
      channel = opened;
      // amqplib emits 'error' before 'close' when the broker closes a channel; keep the reason.
      opened.on('error', (err: Error & { code?: number }) => {
        lastError = err;
      });
      opened.on('close', () => this.onChannelClosed(opened, lastError));
      // The connection may have died in the same read as the open-ok, before 'close' was listened to.
      this.checkLive(opened, connection);
      if (this.options.setup) await this.options.setup(opened);
      if (this.closed) {
        await opened.close().catch(() => undefined);
        return;
      }
      // The setup's last reply (a consume-ok) may have come in the same read as the frame that closed
      // the channel or the connection: a channel that died meanwhile is never handed out.
      this.checkLive(opened, connection);
      this.current = opened;
      this.reopenDelayMs = this.options.reopenDelayMs;
      this.listener.opened?.(opened);
    } catch (err) {
      if (channel) await channel.close().catch(() => undefined);
      // Closed while it was opening (the app shut down): nothing failed that anyone must hear of.
      if (this.closed) return;
      const error = lastError ?? (err as Error);
      this.logger.error(MESSAGES.channelSetupFailed(this.options.name, error.message));
      this.listener.setupFailed?.(error);
      // Also when the connection came back meanwhile: its 'connect' found this channel still opening.
      this.scheduleReopen();
    } finally {
      this.opening = false;
    }
  }

  /** Throws when `channel` closed, or its connection is no longer the manager's current one. */
  private checkLive(channel: Channel, connection: ChannelModel): void {
    if (this.dead.has(channel) || this.manager.connection !== connection) {
      this.dead.add(channel);
      throw new ConnectionLostError(MESSAGES.channelLostDuringSetup);
    }
  }

  private onChannelClosed(channel: Channel, error: (Error & { code?: number }) | undefined): void {
    this.dead.add(channel);
    if (this.current !== channel) return; // a channel that failed during setup
    this.current = undefined;
    this.listener.lost?.(channel, error);
    if (this.closed) return;
    if (error) this.logger.warn(MESSAGES.channelClosedByBroker(this.options.name, error.message));
    this.scheduleReopen();
  }

  /** Re-open on the current connection; if the connection is gone too, its 'connect' will. */
  private scheduleReopen(): void {
    if (this.closed || this.reopenTimer) return;
    const delay = this.reopenDelayMs;
    this.reopenDelayMs = Math.min(this.reopenDelayMs * 2, MAX_REOPEN_DELAY_MS);
    this.reopenTimer = setTimeout(() => {
      this.reopenTimer = undefined;
      const connection = this.manager.connection;
      if (connection) void this.open(connection);
    }, delay);
    this.reopenTimer.unref();
  }
}
