/** Why a consumer was paused or resumed: by the application (`WarrenConsumers`), or by a handler's circuit breaker. */
export type ConsumerPauseCause = 'user' | 'circuit-breaker';

/**
 * Warren's connection and consumer events, by name, with what each listener receives. `connection`
 * names the connection: `<name>` (consumers, topology), `<name>.publish` (publishing) or `<name>.<n>`.
 */
export interface WarrenEventMap {
  /** A connection is (re)established on `node` (its URI without credentials). */
  connected: { connection: string; node: string };
  /** A connection was lost; Warren reconnects (unless it gives up, see `gave-up`). */
  disconnected: { connection: string; reason: string };
  /** A reconnect attempt failed; `nextDelayMs`: the pause before the next one (undefined: there is none). */
  'reconnect-failed': { connection: string; attempt: number; reason: string; nextDelayMs?: number };
  /** The broker blocks the connection's publishers (a memory or disk alarm). */
  blocked: { connection: string; reason: string };
  unblocked: { connection: string };
  /**
   * `connection.reconnect.maxAttempts` attempts failed in a row: Warren stopped reconnecting, every
   * connection of this Warren is closed, and publishes and requests reject with `ConnectionGaveUpError`.
   */
  'gave-up': { connection: string; attempts: number; reason: string };
  'consumer-paused': { queue: string; cause: ConsumerPauseCause };
  'consumer-resumed': { queue: string; cause: ConsumerPauseCause };
}

/** The name of an event `WarrenStatus.on(name, listener)` reports. */
export type WarrenEventName = keyof WarrenEventMap;
/** A listener of one event: it gets that event's details. */
export type WarrenEventListener<E extends WarrenEventName> = (event: WarrenEventMap[E]) => void;

/**
 * The listeners of one Warren instance's events (shared by its connections). A listener that throws
 * is reported to `onListenerError` and never stops Warren or the other listeners.
 */
export class WarrenEvents {
  private readonly listeners = new Map<WarrenEventName, Set<(event: never) => void>>();

  constructor(private readonly onListenerError: (event: WarrenEventName, error: unknown) => void = () => undefined) {}

  /** Subscribes `listener` to `event`; returns a function that unsubscribes it. */
  on<E extends WarrenEventName>(event: E, listener: WarrenEventListener<E>): () => void {
    let set = this.listeners.get(event);
    if (!set) this.listeners.set(event, (set = new Set()));
    const entry = listener as (event: never) => void;
    set.add(entry);
    return () => void set.delete(entry);
  }

  /** Calls every listener of `event` (Warren's own parts emit; applications only listen). */
  emit<E extends WarrenEventName>(event: E, payload: WarrenEventMap[E]): void {
    for (const listener of [...(this.listeners.get(event) ?? [])]) {
      try {
        (listener as WarrenEventListener<E>)(payload);
      } catch (error) {
        this.onListenerError(event, error);
      }
    }
  }
}

/** The events as `@nestjs/microservices` types a transport's `on(event, callback)`. */
export type WarrenTransportEvents = { [E in WarrenEventName]: WarrenEventListener<E> };
