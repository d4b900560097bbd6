import { WarrenLogger } from '../logging/warren-logger';
import { RateLimitedWarnings } from './rate-limited-warnings';

describe('RateLimitedWarnings', () => {
  it('writes one warning of a kind per interval and counts the rest into the next one', () => {
    const lines: string[] = [];
    const logger = new WarrenLogger('test', { log: () => undefined, error: () => undefined, warn: (line: string) => lines.push(line) });
    let now = 0;
    const warnings = new RateLimitedWarnings(logger, 10_000, () => now);
    let built = 0;
    const text = (what: string) => () => (built++, what);
    for (let i = 0; i < 1_000; i++) warnings.warn('malformed', text('bad'));
    warnings.warn('full', text('full'));
    expect(lines).toEqual(['bad', 'full']);
    expect(built).toBe(2);
    now = 10_000;
    warnings.warn('malformed', text('bad again'));
    expect(lines[2]).toBe('bad again (999 more like it in the last 10 s were not logged)');
    now = 25_000;
    warnings.warn('malformed', text('quiet'));
    expect(lines[3]).toBe('quiet');
  });
});
