import type { WarrenEventListener, WarrenEventName } from '../connection/warren-events';
import type { WarrenStatus } from '../health/warren-status';

interface Entry {
  event: WarrenEventName;
  callback: WarrenEventListener<never>;
  off?: () => void;
}

/**
 * A transport's `on(event, callback)` subscriptions: they may come before its Warren exists (Nest
 * calls `on` when it likes), so they are kept and subscribed to each Warren it starts.
 */
export class EventSubscriptions {
  private readonly entries = new Set<Entry>();
  private status?: WarrenStatus;

  /** Keeps `callback`, subscribed now if `status` (the running Warren's) is given; returns a function that drops it. */
  on<E extends WarrenEventName>(event: E, callback: WarrenEventListener<E>, status = this.status): () => void {
    const entry: Entry = { event, callback: callback as WarrenEventListener<never> };
    this.entries.add(entry);
    if (status) entry.off = status.on(event, callback);
    return () => {
      entry.off?.();
      this.entries.delete(entry);
    };
  }

  /** A Warren started: subscribe every kept callback to it. */
  attach(status: WarrenStatus): void {
    this.detach();
    this.status = status;
    for (const entry of this.entries) entry.off = status.on(entry.event, entry.callback as WarrenEventListener<WarrenEventName>);
  }

  /** Its Warren closed: unsubscribe (the callbacks are kept for the next). */
  detach(): void {
    this.status = undefined;
    for (const entry of this.entries) {
      entry.off?.();
      entry.off = undefined;
    }
  }
}
