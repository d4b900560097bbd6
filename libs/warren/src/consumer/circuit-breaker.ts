import type { CircuitBreakerOptions } from '../interfaces';
import { OutcomeWindow } from './outcome-window';

export type BreakerState = 'closed' | 'open' | 'half-open';

/** Deliveries a half-open breaker lets decide (fewer when `minimumCalls` is smaller). */
const HALF_OPEN_TRIALS = 3;

/** What a breaker tells its queue's consumer. */
export interface BreakerListener {
  /** It opened (`reopened`: a trial failed); `failed` of `finished` is what tripped a closed one. */
  opened(breaker: CircuitBreaker, reopened: boolean, failed: number, finished: number): void;
  /** Its pause is over: consume again, `trials` deliveries decide. */
  halfOpened(breaker: CircuitBreaker): void;
  closed(breaker: CircuitBreaker): void;
}

/**
 * One handler's circuit breaker. Closed: outcomes are counted over `windowMs`; with at least
 * `minimumCalls` finished and a failed share of at least `failureRate` it opens. Open: nothing of
 * its handler runs; after `pauseMs` it turns half-open. Half-open: the first `trials` outcomes
 * decide; all successes close it, one failure opens it again. An outcome counts only in the state
 * its delivery started in (`begin()`), so stragglers from before a change do not decide the next one.
 */
export class CircuitBreaker {
  private current: BreakerState = 'closed';
  private generation = 0;
  private tripCount = 0;
  private trialsLeft = 0;
  private timer?: NodeJS.Timeout;
  private readonly window: OutcomeWindow;
  readonly trials: number;

  constructor(
    readonly handler: string,
    private readonly options: Required<CircuitBreakerOptions>,
    private readonly listener: BreakerListener,
    now: () => number = Date.now,
  ) {
    this.window = new OutcomeWindow(options.windowMs, now);
    this.trials = Math.min(HALF_OPEN_TRIALS, options.minimumCalls);
  }

  get state(): BreakerState {
    return this.current;
  }

  get trips(): number {
    return this.tripCount;
  }

  get pauseMs(): number {
    return this.options.pauseMs;
  }

  /** Whether a delivery of its handler may run now. */
  get admits(): boolean {
    return this.current !== 'open';
  }

  /** A delivery starts: give its outcome back with this token. */
  begin(): number {
    return this.generation;
  }

  record(token: number, failed: boolean): void {
    if (token !== this.generation) return;
    if (this.current === 'half-open') {
      if (failed) this.open(true, 0, 0);
      else if (--this.trialsLeft <= 0) this.close();
      return;
    }
    if (this.current !== 'closed') return;
    this.window.add(failed);
    const { calls, failed: failures } = this.window.counts();
    if (calls >= this.options.minimumCalls && failures / calls >= this.options.failureRate) this.open(false, failures, calls);
  }

  /** The consumer closes: no more timers. */
  stop(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  private open(reopened: boolean, failed: number, finished: number): void {
    this.change('open');
    this.tripCount++;
    this.timer = setTimeout(() => this.halfOpen(), this.options.pauseMs);
    this.listener.opened(this, reopened, failed, finished);
  }

  private halfOpen(): void {
    this.timer = undefined;
    this.change('half-open');
    this.trialsLeft = this.trials;
    this.listener.halfOpened(this);
  }

  private close(): void {
    this.change('closed');
    this.listener.closed(this);
  }

  private change(state: BreakerState): void {
    this.current = state;
    this.generation++;
    this.window.reset();
  }
}
