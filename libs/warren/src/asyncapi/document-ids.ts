/**
 * AsyncAPI 3 keys (channels, operations, messages, schemas) must match `^[A-Za-z0-9_\-]+$`.
 * Broker names are turned into such keys readably: `.` becomes `_`, the topic wildcards `*` and
 * `#` become `star` and `hash`, any run of other characters one `-` (none at either end).
 */
export function keyOf(text: string): string {
  const key = text
    .replace(/\./g, '_')
    .replace(/\*/g, 'star')
    .replace(/#/g, 'hash')
    .replace(/[^A-Za-z0-9_-]+/g, '-')
    .replace(/^-+|-+$/g, '');
  return key === '' ? 'empty' : key;
}

/**
 * Hands out unique keys: the same subject always gets the same key; two subjects whose readable
 * keys collide get `_2`, `_3`… in the order of their subjects (sorted, so the document is stable).
 */
export class KeyAllocator {
  private readonly bySubject = new Map<string, string>();

  constructor(entries: Array<{ subject: string; key: string }>) {
    const taken = new Set<string>();
    const sorted = [...entries].sort((a, b) => (a.subject < b.subject ? -1 : a.subject > b.subject ? 1 : 0));
    for (const { subject, key } of sorted) {
      if (this.bySubject.has(subject)) continue;
      let unique = key;
      for (let n = 2; taken.has(unique); n++) unique = `${key}_${n}`;
      taken.add(unique);
      this.bySubject.set(subject, unique);
    }
  }

  keyFor(subject: string): string {
    const key = this.bySubject.get(subject);
    if (key === undefined) throw new Error(`No AsyncAPI key for '${subject}'`);
    return key;
  }
}

/** An object with its keys sorted (stable output for diffs and committed examples). */
export function sortedRecord<T>(entries: Iterable<[string, T]>): Record<string, T> {
  return Object.fromEntries([...entries].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
