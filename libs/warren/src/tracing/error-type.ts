import { WARREN_ERROR_CODES } from '../errors/error-codes';
import * as errors from '../errors';

/** The `error.type` of a RemoteError, whatever code the peer sent. */
const REMOTE_ERROR_TYPE = 'remote_error';
/** The `error.type` of anything Warren cannot name from a bounded list (OpenTelemetry's convention). */
const OTHER_ERROR_TYPE = '_OTHER';

/** JavaScript's own error classes: their names are a closed list. */
const BUILT_IN_ERRORS = new Set(['Error', 'TypeError', 'RangeError', 'SyntaxError', 'ReferenceError', 'EvalError', 'URIError', 'AggregateError']);

/** Warren's error classes (for those with no code, or a code the application chose, as NonRetryableError allows). */
const WARREN_CLASSES = new Set(
  Object.values(errors)
    .filter((value): value is typeof errors.WarrenError => typeof value === 'function' && (value === errors.WarrenError || value.prototype instanceof errors.WarrenError))
    .map((type) => type.name),
);

/**
 * The `error.type` attribute of a failure on metrics and spans, from a bounded set so no sender can
 * make new series: `remote_error` for a RemoteError (its code is the peer's), a Warren code (see
 * WARREN_ERROR_CODES), a Warren error class's name, a built-in error class's name (`TypeError`…),
 * else `_OTHER`.
 */
export function errorType(error: unknown): string {
  if (error instanceof errors.RemoteError) return REMOTE_ERROR_TYPE;
  if (error === null || typeof error !== 'object') return OTHER_ERROR_TYPE;
  const { code, name } = error as { code?: unknown; name?: unknown };
  if (typeof code === 'string' && WARREN_ERROR_CODES.has(code)) return code;
  if (typeof name !== 'string') return OTHER_ERROR_TYPE;
  if (error instanceof errors.WarrenError && WARREN_CLASSES.has(name)) return name;
  // By name, not identity: errors made in another realm (a vm context, a worker) are not this one's TypeError.
  return BUILT_IN_ERRORS.has(name) ? name : OTHER_ERROR_TYPE;
}
