/**
 * Runs `work` at once when it last ran at least `intervalMs` ago; otherwise once when that
 * interval ends, however often it was asked to meanwhile. A host answers roll calls through it,
 * so a sender flooding the registry exchange with queries gets one answer per interval.
 */
export class TrailingThrottle {
  private lastAt = -Infinity;
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly intervalMs: number,
    private readonly work: () => void,
    private readonly now: () => number = Date.now,
  ) {}

  trigger(): void {
    if (this.timer) return;
    const wait = this.lastAt + this.intervalMs - this.now();
    if (wait <= 0) return this.run();
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.run();
    }, wait);
    this.timer.unref();
  }

  stop(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  private run(): void {
    this.lastAt = this.now();
    this.work();
  }
}
