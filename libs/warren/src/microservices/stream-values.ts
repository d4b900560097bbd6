import { Observable, Subject, takeUntil } from 'rxjs';

/**
 * Runs `source`, giving `sendNext` each value but the last, and resolves with the last value
 * (undefined when there was none) or rejects with the source's error. A value is sent one
 * macrotask after it was emitted, unless another comes first: so a value that is followed at once
 * by completion travels as the final reply, not as one more message (as Nest's RMQ transport
 * merges the last value with its end marker). A `sendNext` that throws ends the stream with its error.
 */
export function streamValues(source: Observable<unknown>, sendNext: (value: unknown) => void): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const stop = new Subject<void>();
    let held: { value: unknown } | undefined;
    let timer: NodeJS.Immediate | undefined;
    let settled = false;
    const fail = (error: unknown) => {
      if (settled) return;
      settled = true;
      clearImmediate(timer);
      stop.next();
      reject(error);
    };
    const flush = (): boolean => {
      clearImmediate(timer);
      timer = undefined;
      if (held === undefined) return true;
      const { value } = held;
      held = undefined;
      try {
        sendNext(value);
        return true;
      } catch (error) {
        fail(error);
        return false;
      }
    };
    source.pipe(takeUntil(stop)).subscribe({
      next: (value) => {
        if (settled || !flush()) return;
        held = { value };
        timer = setImmediate(flush);
      },
      error: (error: unknown) => {
        if (flush()) fail(error); // the values before the error reach the caller first
      },
      complete: () => {
        if (settled) return;
        settled = true;
        clearImmediate(timer);
        resolve(held?.value);
      },
    });
  });
}
