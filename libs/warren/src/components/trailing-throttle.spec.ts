import { TrailingThrottle } from './trailing-throttle';

describe('TrailingThrottle', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('runs at once, then once at the end of the interval however often it is triggered', () => {
    let runs = 0;
    const throttle = new TrailingThrottle(1_000, () => runs++, () => Date.now());
    throttle.trigger();
    expect(runs).toBe(1);
    for (let i = 0; i < 500; i++) throttle.trigger();
    expect(runs).toBe(1);
    jest.advanceTimersByTime(1_000);
    expect(runs).toBe(2);
    jest.advanceTimersByTime(5_000);
    expect(runs).toBe(2);
    throttle.trigger();
    expect(runs).toBe(3);
  });

  it('stop() cancels a pending run', () => {
    let runs = 0;
    const throttle = new TrailingThrottle(1_000, () => runs++, () => Date.now());
    throttle.trigger();
    throttle.trigger();
    throttle.stop();
    jest.advanceTimersByTime(2_000);
    expect(runs).toBe(1);
  });
});
