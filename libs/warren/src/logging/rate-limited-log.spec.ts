import { RateLimitedLog } from './rate-limited-log';

describe('RateLimitedLog', () => {
  function setup() {
    const lines: string[] = [];
    let now = 1_000;
    const log = new RateLimitedLog((line) => lines.push(line), 10_000, () => now);
    return { lines, log, advance: (ms: number) => (now += ms) };
  }

  it('writes the first event at once and counts the rest of the interval into the next line', () => {
    const { lines, log, advance } = setup();
    log.report('q', (n) => `skipped ${n}`);
    for (let i = 0; i < 5; i++) log.report('q', (n) => `skipped ${n}`);
    expect(lines).toEqual(['skipped 1']);
    advance(9_999);
    log.report('q', (n) => `skipped ${n}`);
    expect(lines).toEqual(['skipped 1']);
    advance(1);
    log.report('q', (n) => `skipped ${n}`);
    expect(lines).toEqual(['skipped 1', 'skipped 7']);
  });

  it('limits each key on its own', () => {
    const { lines, log } = setup();
    log.report('a', (n) => `a ${n}`);
    log.report('b', (n) => `b ${n}`);
    log.report('a', (n) => `a ${n}`);
    expect(lines).toEqual(['a 1', 'b 1']);
  });
});
