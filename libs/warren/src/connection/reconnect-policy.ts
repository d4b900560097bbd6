import type { AmqpConnectionManager } from 'amqp-connection-manager';

/** How a lost connection is reconnected: `connection.reconnectDelayMs` and `connection.reconnect`, resolved. */
export interface ReconnectSettings {
  /** The first pause (and, without `backoff`, every pause). */
  delayMs: number;
  /** Grow the pause exponentially (with jitter) up to `maxDelayMs`; false: a fixed pause, as without `connection.reconnect`. */
  backoff: boolean;
  maxDelayMs: number;
  /** Failed attempts after which the connection is given up; undefined: never. */
  maxAttempts?: number;
}

/** At most this share of a pause is taken off at random, so many clients cut off together do not return together. */
export const RECONNECT_JITTER = 0.25;

/**
 * The pause before reconnect attempt `attempt + 1`, after `attempt` failed ones: `delayMs × 2^attempt`,
 * capped at `maxDelayMs`, less up to `RECONNECT_JITTER` of it at random. Fixed at `delayMs` without backoff.
 */
export function reconnectDelay(settings: ReconnectSettings, attempt: number, random: () => number = Math.random): number {
  if (!settings.backoff) return settings.delayMs;
  const nominal = Math.min(settings.maxDelayMs, settings.delayMs * 2 ** Math.min(attempt, 52));
  return Math.round(nominal * (1 - RECONNECT_JITTER * random()));
}

/** What the policy tells its connection. */
export interface ReconnectHooks {
  /** Attempt `attempt` failed with `reason`; the next comes after `nextDelayMs` (undefined: none, the connection gives up). */
  failed(attempt: number, reason: string, nextDelayMs: number | undefined): void;
  /** The last allowed attempt failed: stop for good. */
  gaveUp(attempts: number, reason: string): void;
}

/**
 * Drives amqp-connection-manager's reconnects by `settings`: it waits `reconnectTimeInSeconds` after
 * each 'disconnect' and each 'connectFailed', reading the value just after emitting them, so the
 * pause is set from those events. After `maxAttempts` failed attempts in a row the manager is closed
 * (its pending retry cancelled), so no further attempt is made. A successful connect starts the
 * count again. Attached once start-up is done: start-up has its own bound, `connection.connectTimeoutMs`.
 * Returns a function that detaches it.
 */
export function followReconnectPolicy(manager: AmqpConnectionManager, settings: ReconnectSettings, hooks: ReconnectHooks): () => void {
  const target = manager as unknown as { reconnectTimeInSeconds: number };
  let failures = 0;
  let done = false;
  const setPause = (ms: number) => (target.reconnectTimeInSeconds = ms / 1000);
  const onDisconnect = () => {
    failures = 0;
    setPause(reconnectDelay(settings, 0));
  };
  const onConnect = () => (failures = 0);
  const onFailed = ({ err }: { err?: Error }) => {
    if (done) return;
    failures += 1;
    const reason = err?.message ?? 'connection failed';
    if (settings.maxAttempts !== undefined && failures >= settings.maxAttempts) {
      done = true;
      hooks.failed(failures, reason, undefined);
      // The manager arms its next retry right after this event: close it once that is armed, which cancels it.
      const attempts = failures;
      setImmediate(() => {
        void manager.close().catch(() => undefined);
        hooks.gaveUp(attempts, reason);
      });
      return;
    }
    const next = reconnectDelay(settings, failures);
    setPause(next);
    hooks.failed(failures, reason, next);
  };
  manager.on('disconnect', onDisconnect);
  manager.on('connect', onConnect);
  manager.on('connectFailed', onFailed);
  return () => {
    manager.off('disconnect', onDisconnect);
    manager.off('connect', onConnect);
    manager.off('connectFailed', onFailed);
  };
}
