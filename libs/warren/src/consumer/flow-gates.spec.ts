import type { ConsumeMessage } from 'amqplib';
import { UnsupportedContentTypeError } from '../errors/unsupported-content-type.error';
import { ConcurrencyGate } from './concurrency-gate';
import { ContentTypeGate } from './content-type-gate';
import { raceDeadline } from './handler-deadline';

const typed = (contentType?: string) => ({ properties: { contentType } }) as unknown as ConsumeMessage;

describe('ConcurrencyGate', () => {
  it('admits up to its limit, then in arrival order as slots come back', async () => {
    const gate = new ConcurrencyGate(2);
    const admitted: number[] = [];
    const entries = [0, 1, 2, 3].map((n) => gate.acquire().then((ok) => ok && admitted.push(n)));
    await Promise.resolve();
    expect(admitted).toEqual([0, 1]);
    expect([gate.running, gate.queued]).toEqual([2, 2]);
    gate.release();
    gate.release();
    await Promise.all(entries);
    expect(admitted).toEqual([0, 1, 2, 3]);
    gate.release();
    gate.release();
    expect(gate.running).toBe(0);
  });

  it('returnWaiting turns every waiter away', async () => {
    const gate = new ConcurrencyGate(1);
    await gate.acquire();
    const waiting = [gate.acquire(), gate.acquire()];
    gate.returnWaiting();
    expect(await Promise.all(waiting)).toEqual([false, false]);
    expect([gate.running, gate.queued]).toEqual([1, 0]);
  });
});

describe('ContentTypeGate', () => {
  it('matches media types without parameters or case; type/* and */*; none only when listed as ""', () => {
    const json = new ContentTypeGate('H.on', ['application/json']);
    expect(json.accepts(typed('application/json'))).toBe(true);
    expect(json.accepts(typed('Application/JSON; charset=utf-8'))).toBe(true);
    expect(json.accepts(typed('application/xml'))).toBe(false);
    expect(json.accepts(typed(undefined))).toBe(false);
    expect(new ContentTypeGate('H.on', ['text/*']).accepts(typed('text/csv'))).toBe(true);
    expect(new ContentTypeGate('H.on', ['*/*']).accepts(typed('image/png'))).toBe(true);
    expect(new ContentTypeGate('H.on', ['*/*']).accepts(typed(undefined))).toBe(false);
    expect(new ContentTypeGate('H.on', ['application/json', '']).accepts(typed(undefined))).toBe(true);
  });

  it('check() throws UNSUPPORTED_CONTENT_TYPE naming the type', () => {
    const gate = new ContentTypeGate('H.on', ['application/json']);
    const error = (() => {
      try {
        gate.check(typed('text/plain'));
      } catch (e) {
        return e as UnsupportedContentTypeError;
      }
    })();
    expect(error).toBeInstanceOf(UnsupportedContentTypeError);
    expect(error?.code).toBe('UNSUPPORTED_CONTENT_TYPE');
    expect(error?.message).toMatch(/H\.on does not accept content type 'text\/plain'/);
  });
});

describe('raceDeadline', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('settles as the work does in time, else rejects at the deadline and ignores the work', async () => {
    await expect(raceDeadline(Promise.resolve(1), 100, () => new Error('late'))).resolves.toBe(1);
    let finish!: (value: number) => void;
    const raced = raceDeadline(new Promise<number>((resolve) => (finish = resolve)), 100, () => new Error('deadline'));
    jest.advanceTimersByTime(100);
    finish(2);
    await expect(raced).rejects.toThrow('deadline');
  });
});
