import { redactText } from './redact';

/**
 * `value` as JSON carries it, with every string in it passed through redactText: for details that
 * travel to another process (an RPC error's `details`). A value JSON cannot carry (circular, BigInt)
 * is returned as it is, for the caller's own handling of that case.
 */
export function redactJson(value: unknown): unknown {
  let json: string | undefined;
  try {
    json = JSON.stringify(value);
  } catch {
    return value;
  }
  if (json === undefined) return value;
  return JSON.parse(json, (_key, item: unknown) => (typeof item === 'string' ? redactText(item) : item));
}
