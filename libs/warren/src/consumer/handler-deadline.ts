/**
 * `work` against a deadline: settles as `work` does if it settles within `timeoutMs`; otherwise
 * rejects at the deadline with what `expire()` gives (which aborts the handler's signal and marks
 * the delivery), and whatever `work` does afterwards is ignored. The handler itself is not stopped:
 * JavaScript cannot stop a promise; a handler that ignores its signal runs on until it returns.
 */
export function raceDeadline<T>(work: Promise<T>, timeoutMs: number, expire: () => Error): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(expire()), timeoutMs);
    work.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}
