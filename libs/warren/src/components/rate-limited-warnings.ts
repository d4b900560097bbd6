import type { WarrenLogger } from '../logging/warren-logger';
import { MESSAGES } from '../warren.messages';

/**
 * Warnings of one kind at most once per interval, so a sender flooding the registry with bad
 * messages cannot flood the log: the first is written, the rest counted and reported with the
 * next one written. The text is only built when it is written.
 */
export class RateLimitedWarnings {
  private readonly kinds = new Map<string, { lastAt: number; suppressed: number }>();

  constructor(
    private readonly logger: WarrenLogger,
    private readonly intervalMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  warn(kind: string, text: () => string): void {
    const now = this.now();
    const state = this.kinds.get(kind);
    if (state && now - state.lastAt < this.intervalMs) {
      state.suppressed++;
      return;
    }
    const suppressed = state?.suppressed ?? 0;
    this.kinds.set(kind, { lastAt: now, suppressed: 0 });
    const seconds = state ? Math.round((now - state.lastAt) / 1000) : 0;
    this.logger.warn(text() + (suppressed > 0 ? MESSAGES.registrySuppressed(suppressed, seconds) : ''));
  }
}
