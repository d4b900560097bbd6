import type { AmqpConnectionManager } from 'amqp-connection-manager';
import { ConnectionGaveUpError } from '../errors/connection-gave-up.error';
import type { WarrenLogger } from '../logging/warren-logger';
import { MESSAGES } from '../warren.messages';
import { WarrenEvents } from './warren-events';

/** What `WarrenStatus` reports once Warren gave up reconnecting. */
export interface GaveUpState {
  /** The connection whose attempts ran out. */
  connection: string;
  attempts: number;
  /** The last attempt's failure (redacted). */
  reason: string;
  at: Date;
}

/**
 * The connections of one Warren instance (the main one, `<name>.publish`, consumer siblings) and
 * what they share: the events applications listen to, and their fate. Giving up on one gives up
 * the instance — a Warren that can consume but never publish (or the reverse) would only look
 * alive — so every connection is closed, and the producer and RPC client fail what they hold.
 */
export class ConnectionGroup {
  readonly events: WarrenEvents;
  private readonly managers = new Set<AmqpConnectionManager>();
  private readonly gaveUpListeners = new Set<(error: ConnectionGaveUpError) => void>();
  private error?: ConnectionGaveUpError;
  private state?: GaveUpState;

  constructor(private readonly logger: WarrenLogger) {
    this.events = new WarrenEvents((event, error) => logger.warn(MESSAGES.eventListenerFailed(event, (error as Error)?.message ?? String(error))));
  }

  /** The error publishes and requests reject with, once Warren gave up (undefined until then). */
  get gaveUpError(): ConnectionGaveUpError | undefined {
    return this.error;
  }

  get gaveUp(): GaveUpState | undefined {
    return this.state;
  }

  add(manager: AmqpConnectionManager): void {
    this.managers.add(manager);
  }

  /** Runs `listener` when Warren gives up (at once, if it already has); returns a function that removes it. */
  onGiveUp(listener: (error: ConnectionGaveUpError) => void): () => void {
    if (this.error) {
      listener(this.error);
      return () => undefined;
    }
    this.gaveUpListeners.add(listener);
    return () => void this.gaveUpListeners.delete(listener);
  }

  /** `connection` ran out of attempts: stop every connection, fail what waits, tell the application (once). */
  giveUp(connection: string, attempts: number, reason: string): void {
    if (this.error) return;
    this.error = new ConnectionGaveUpError(MESSAGES.connectionGaveUp(connection, attempts, reason), connection, attempts, reason);
    this.state = { connection, attempts, reason, at: new Date() };
    this.logger.error(this.error.message);
    for (const manager of this.managers) void manager.close().catch(() => undefined);
    for (const listener of [...this.gaveUpListeners]) {
      try {
        listener(this.error);
      } catch {
        // a part's own failure to settle must not keep the others from settling
      }
    }
    this.gaveUpListeners.clear();
    this.events.emit('gave-up', { connection, attempts, reason });
  }
}
