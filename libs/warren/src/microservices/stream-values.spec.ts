import { EMPTY, Subject, concat, finalize, from, of, throwError } from 'rxjs';
import { streamValues } from './stream-values';

describe('streamValues', () => {
  it('sends each value but the last and resolves with the last', async () => {
    const sent: unknown[] = [];
    await expect(streamValues(from([1, 2, 3]), (value) => sent.push(value))).resolves.toBe(3);
    expect(sent).toEqual([1, 2]);
  });

  it('a single value, or none, is only the final answer', async () => {
    const sent: unknown[] = [];
    await expect(streamValues(of('one'), (value) => sent.push(value))).resolves.toBe('one');
    await expect(streamValues(EMPTY, (value) => sent.push(value))).resolves.toBeUndefined();
    expect(sent).toEqual([]);
  });

  it('sends a value before the next one is emitted (it does not wait for the stream to end)', async () => {
    const source = new Subject<number>();
    const sent: unknown[] = [];
    let firstSent!: () => void;
    const first = new Promise<void>((resolve) => (firstSent = resolve));
    const done = streamValues(source, (value) => {
      sent.push(value);
      firstSent();
    });
    source.next(1);
    await first;
    expect(sent).toEqual([1]);
    source.next(2);
    source.complete();
    await expect(done).resolves.toBe(2);
    expect(sent).toEqual([1]); // the value sent early is not sent again; the last one is the final answer
  });

  it('sends the values before an error, then rejects with the error', async () => {
    const sent: unknown[] = [];
    const failure = new Error('broke');
    await expect(streamValues(concat(of(1, 2), throwError(() => failure)), (value) => sent.push(value))).rejects.toBe(failure);
    expect(sent).toEqual([1, 2]);
  });

  it('a send that throws ends the stream with its error and unsubscribes the source', async () => {
    let finalized = false;
    const refused = new Error('channel closed');
    const source = from([1, 2, 3, 4]).pipe(finalize(() => (finalized = true)));
    await expect(
      streamValues(source, () => {
        throw refused;
      }),
    ).rejects.toBe(refused);
    expect(finalized).toBe(true);
  });
});
