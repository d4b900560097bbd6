import type { ValidationIssue } from '../errors/message-validation.error';
import type { StandardSchemaIssue, StandardSchemaResult, StandardSchemaV1 } from './standard-schema';

/** Issues kept per failure: a payload of 100,000 bad array items must not make a 100,000-entry error. */
export const MAX_ISSUES = 100;
/** Path segments kept per issue. */
const MAX_PATH = 32;

/** A value checked against a schema: the schema's output (transforms applied), or what is wrong with it. */
export type Checked = { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly issues: ValidationIssue[] };

/** `then`-able: an async schema's result. */
export function isPromiseLike<T>(value: T | PromiseLike<T>): value is PromiseLike<T> {
  return typeof (value as { then?: unknown } | null)?.then === 'function';
}

/**
 * Runs the schema once. Synchronous schemas (most) answer synchronously, so a caller that needs no
 * promise makes none; an async schema's answer is a promise. A schema that throws, throws.
 */
export function checkAgainst(schema: StandardSchemaV1, value: unknown): Checked | Promise<Checked> {
  const result = schema['~standard'].validate(value);
  return isPromiseLike(result) ? Promise.resolve(result).then(toChecked) : toChecked(result);
}

function toChecked(result: StandardSchemaResult<unknown>): Checked {
  if (result && result.issues) return { ok: false, issues: toIssues(result.issues) };
  return { ok: true, value: (result as { value: unknown }).value };
}

/** A schema's issues as plain data (JSON, headers): string or number keys, bounded in count and depth. */
export function toIssues(issues: ReadonlyArray<StandardSchemaIssue>): ValidationIssue[] {
  const list = Array.isArray(issues) ? issues : [];
  const kept = list.slice(0, MAX_ISSUES).map((issue) => ({ path: pathOf(issue?.path), message: String(issue?.message ?? 'invalid') }));
  if (list.length === 0) kept.push({ path: [], message: 'invalid (the schema reported no issue)' });
  if (list.length > MAX_ISSUES) kept.push({ path: [], message: `${list.length - MAX_ISSUES} more issues left out` });
  return kept;
}

function pathOf(path: StandardSchemaIssue['path']): Array<string | number> {
  if (!Array.isArray(path)) return [];
  return path.slice(0, MAX_PATH).map((segment: unknown) => {
    const key = typeof segment === 'object' && segment !== null ? (segment as { key: unknown }).key : segment;
    return typeof key === 'number' ? key : String(key);
  });
}
