import { BreakerListener, CircuitBreaker } from './circuit-breaker';
import { OutcomeWindow } from './outcome-window';

/** A listener that records what the breaker told it. */
function listener(): BreakerListener & { said: string[] } {
  const said: string[] = [];
  return {
    said,
    opened: (_b, reopened, failed, finished) => said.push(reopened ? 'reopened' : `opened ${failed}/${finished}`),
    halfOpened: () => said.push('half-open'),
    closed: () => said.push('closed'),
  };
}

describe('OutcomeWindow', () => {
  it('counts what finished within the window, in tenths of it', () => {
    let now = 1_000_000;
    const window = new OutcomeWindow(1000, () => now);
    window.add(true);
    window.add(false);
    expect(window.counts()).toEqual({ calls: 2, failed: 1 });
    now += 500;
    window.add(true);
    expect(window.counts()).toEqual({ calls: 3, failed: 2 });
    now += 600; // the first two are over 1000 ms old
    expect(window.counts()).toEqual({ calls: 1, failed: 1 });
    now += 1000;
    expect(window.counts()).toEqual({ calls: 0, failed: 0 });
  });
});

describe('CircuitBreaker', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  const options = { failureRate: 0.5, minimumCalls: 4, windowMs: 10_000, pauseMs: 1000 };

  it('opens only once minimumCalls finished and the failed share reaches failureRate', () => {
    const told = listener();
    const breaker = new CircuitBreaker('H.on', options, told);
    for (const failed of [true, false, true]) breaker.record(breaker.begin(), failed);
    expect(breaker.state).toBe('closed'); // 3 < minimumCalls
    breaker.record(breaker.begin(), false);
    expect(breaker.state).toBe('open'); // 2 of 4 failed: 0.5
    expect(told.said).toEqual(['opened 2/4']);

    const healthy = new CircuitBreaker('H.other', options, listener());
    for (const failed of [false, false, true, false, false]) healthy.record(healthy.begin(), failed);
    expect(healthy.state).toBe('closed'); // 1 of 5
    healthy.stop();
    breaker.stop();
  });

  it('half-opens after pauseMs; a failed trial re-opens, successful trials close', () => {
    const told = listener();
    const breaker = new CircuitBreaker('H.on', { ...options, failureRate: 0.75 }, told);
    for (const failed of [true, true, true, false]) breaker.record(breaker.begin(), failed);
    expect(breaker.state).toBe('open');
    expect(breaker.admits).toBe(false);
    jest.advanceTimersByTime(1000);
    expect(breaker.state).toBe('half-open');
    breaker.record(breaker.begin(), true);
    expect(breaker.state).toBe('open');
    jest.advanceTimersByTime(1000);
    for (let i = 0; i < breaker.trials; i++) breaker.record(breaker.begin(), false);
    expect(breaker.state).toBe('closed');
    expect(breaker.trips).toBe(2);
    expect(told.said).toEqual(['opened 3/4', 'half-open', 'reopened', 'half-open', 'closed']);
    breaker.stop();
  });

  it('ignores outcomes of deliveries that started before the state changed', () => {
    const breaker = new CircuitBreaker('H.on', { ...options, minimumCalls: 1, failureRate: 1 }, listener());
    const before = breaker.begin();
    breaker.record(breaker.begin(), true);
    expect(breaker.state).toBe('open');
    jest.advanceTimersByTime(1000);
    breaker.record(before, true); // a straggler from the closed state does not decide the trial
    expect(breaker.state).toBe('half-open');
    expect(breaker.trials).toBe(1); // at most minimumCalls
    breaker.stop();
  });

  it('stop() clears its timer', () => {
    const breaker = new CircuitBreaker('H.on', { ...options, minimumCalls: 1, failureRate: 1 }, listener());
    breaker.record(breaker.begin(), true);
    breaker.stop();
    jest.advanceTimersByTime(5000);
    expect(breaker.state).toBe('open');
  });
});
