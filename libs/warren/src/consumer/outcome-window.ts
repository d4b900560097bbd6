/** Steps a window is counted in: its counts cover between (steps-1)/steps and all of `windowMs`. */
const STEPS = 10;

interface Step {
  /** Which step of time (now / step length) these counts belong to. */
  index: number;
  calls: number;
  failed: number;
}

/**
 * Finished and failed deliveries over the last `windowMs`, in a fixed ring of ten steps (memory
 * does not grow with the message rate): a count leaves the window up to a tenth of it early.
 */
export class OutcomeWindow {
  private readonly steps: Step[] = Array.from({ length: STEPS }, () => ({ index: -1, calls: 0, failed: 0 }));
  private readonly stepMs: number;

  constructor(
    windowMs: number,
    private readonly now: () => number = Date.now,
  ) {
    this.stepMs = Math.max(1, Math.ceil(windowMs / STEPS));
  }

  add(failed: boolean): void {
    const index = Math.floor(this.now() / this.stepMs);
    const step = this.steps[index % STEPS];
    if (step.index !== index) Object.assign(step, { index, calls: 0, failed: 0 });
    step.calls++;
    if (failed) step.failed++;
  }

  /** Calls and failures within the window now. */
  counts(): { calls: number; failed: number } {
    const oldest = Math.floor(this.now() / this.stepMs) - STEPS + 1;
    let calls = 0;
    let failed = 0;
    for (const step of this.steps) {
      if (step.index < oldest) continue;
      calls += step.calls;
      failed += step.failed;
    }
    return { calls, failed };
  }

  reset(): void {
    for (const step of this.steps) Object.assign(step, { index: -1, calls: 0, failed: 0 });
  }
}
