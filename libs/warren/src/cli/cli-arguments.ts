import { UsageError } from './cli-errors';

export function positive(value: string, name: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`${name} must be a whole number >= 1, got '${value}'`);
  return n;
}

export function optionalPositive(value: string | undefined, name: string): number | undefined {
  return value === undefined ? undefined : positive(value, name);
}

export function reasonFilter(filter: string | undefined): string | undefined {
  if (filter === undefined) return undefined;
  const match = /^reason=(.*)$/s.exec(filter);
  if (!match) throw new UsageError(`--filter takes 'reason=<text>', got '${filter}'`);
  return match[1];
}

/** For a repeatable option. */
export function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

export function formatAge(seconds: number): string {
  if (seconds < 120) return `${Math.round(seconds)} s`;
  if (seconds < 7200) return `${Math.round(seconds / 60)} min`;
  return `${Math.round(seconds / 3600)} h`;
}
