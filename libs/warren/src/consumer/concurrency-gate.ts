/**
 * At most `limit` holders at once (one handler's `concurrency`); the others wait in arrival order.
 * A slot given back goes straight to the oldest waiter. `returnWaiting()` turns every waiter away
 * at once (its handler's circuit breaker opened: those deliveries go back to the queue).
 */
export class ConcurrencyGate {
  private held = 0;
  private readonly waiting: Array<(admitted: boolean) => void> = [];

  constructor(readonly limit: number) {}

  /** Holders now. */
  get running(): number {
    return this.held;
  }

  /** Waiting for a slot. */
  get queued(): number {
    return this.waiting.length;
  }

  /** True once a slot is the caller's (it must `release()` it once); false when turned away. */
  acquire(): Promise<boolean> {
    if (this.held < this.limit && this.waiting.length === 0) {
      this.held++;
      return Promise.resolve(true);
    }
    return new Promise((admit) => this.waiting.push(admit));
  }

  release(): void {
    const next = this.waiting.shift();
    if (next) next(true);
    else this.held--;
  }

  returnWaiting(): void {
    for (const turnAway of this.waiting.splice(0)) turnAway(false);
  }
}
