/**
 * Writes at most one line per key and interval, for events a sender can cause at any rate (an
 * attacker's requests must not flood the log). The first event of a quiet key is written at once;
 * later ones within the interval are only counted, and the next line written says how many there
 * were. Nothing is written on a timer: the tail of a burst shows in the next line (the metrics
 * count every event).
 */
export class RateLimitedLog {
  private readonly keys = new Map<string, { lastAt: number; suppressed: number }>();

  constructor(
    private readonly write: (message: string) => void,
    private readonly intervalMs = 10_000,
    private readonly now: () => number = Date.now,
  ) {}

  /** `message(count)`: the line for `count` events (this one and those left out since the last line). */
  report(key: string, message: (count: number) => string): void {
    const now = this.now();
    const state = this.keys.get(key);
    if (state && now - state.lastAt < this.intervalMs) {
      state.suppressed++;
      return;
    }
    const count = (state?.suppressed ?? 0) + 1;
    this.keys.set(key, { lastAt: now, suppressed: 0 });
    this.write(message(count));
  }
}
