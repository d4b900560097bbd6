interface Waiting {
  bytes: number;
  start(): void;
}

/**
 * The bytes of one consumer's deliveries in flight, against its `maxInFlightBytes`. Held bytes
 * (received, not yet finished) over the limit mean the consumer should stop taking deliveries;
 * `changed` says when that flips. A delivery enters its handler once its bytes fit beside those
 * already in handlers, in arrival order; one that could never fit enters when nothing else runs,
 * so a consumer never stalls on a delivery larger than the budget. `blocked` is told whenever a
 * delivery is left waiting (a partial batch cannot grow then, and should not wait for its timeout).
 */
export class InFlightBudget {
  private held = 0;
  private runningBytes = 0;
  private running = 0;
  private readonly waiting: Waiting[] = [];
  private wasExceeded = false;
  /** Since the last `window()`: the largest delivery, and how many arrived. */
  private largestSince = 0;
  private countSince = 0;

  constructor(
    readonly limit: number,
    private readonly changed: (exceeded: boolean) => void,
    private readonly blocked: () => void = () => undefined,
  ) {}

  /** The held bytes are over the limit: the consumer should not take more deliveries now. */
  get exceeded(): boolean {
    return this.held > this.limit;
  }

  /** Bytes received and not yet finished. */
  get heldBytes(): number {
    return this.held;
  }

  /**
   * A delivery of `bytes` arrived: `start` runs now if it fits (or `now`: work that holds its
   * body only briefly, like parking an over-size one), else once enough has finished.
   * Each delivery entered must `leave` once, after it started.
   */
  enter(bytes: number, start: () => void, now = false): void {
    this.held += bytes;
    this.largestSince = Math.max(this.largestSince, bytes);
    this.countSince++;
    if (now || (this.waiting.length === 0 && this.fits(bytes))) this.run(bytes, start);
    else this.waiting.push({ bytes, start });
    this.report();
    if (this.waiting.length > 0) this.blocked();
  }

  /** A started delivery finished: those waiting that now fit start, oldest first. */
  leave(bytes: number): void {
    this.held -= bytes;
    this.runningBytes -= bytes;
    this.running--;
    while (this.waiting.length > 0 && this.fits(this.waiting[0].bytes)) {
      const next = this.waiting.shift()!;
      this.run(next.bytes, next.start);
    }
    this.report();
    if (this.waiting.length > 0) this.blocked();
  }

  /**
   * The prefetch for a new subscription: as many of the largest deliveries seen since the last
   * call as fit the budget, at least 1 and at most `prefetch`. The broker sends that many at once
   * when the consumer subscribes, so after large deliveries it sends fewer.
   */
  window(prefetch: number): number {
    const fitting = this.largestSince === 0 ? prefetch : Math.floor(this.limit / this.largestSince);
    this.largestSince = 0;
    this.countSince = 0;
    return Math.max(1, Math.min(prefetch, fitting));
  }

  /** A full window of `prefetch` deliveries has arrived since the last `window()`, and that many of the largest of them fit. */
  roomFor(prefetch: number): boolean {
    return this.countSince >= prefetch && this.largestSince * prefetch <= this.limit;
  }

  private fits(bytes: number): boolean {
    return this.running === 0 || this.runningBytes + bytes <= this.limit;
  }

  private run(bytes: number, start: () => void): void {
    this.running++;
    this.runningBytes += bytes;
    start();
  }

  private report(): void {
    const exceeded = this.exceeded;
    if (exceeded === this.wasExceeded) return;
    this.wasExceeded = exceeded;
    this.changed(exceeded);
  }
}
