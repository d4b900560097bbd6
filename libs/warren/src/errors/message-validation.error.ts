import type { StandardSchemaIssue } from '../validation/standard-schema';
import { toIssues } from '../validation/schema-check';
import { WarrenError } from './warren.error';

/** One property that failed validation, with class-validator's constraint messages. */
export interface ValidationFailure {
  /** Dotted path of the property, e.g. `items.0.sku`. */
  property: string;
  /** Constraint name → message, e.g. `{ isInt: 'a must be an integer number' }`. */
  constraints: Record<string, string>;
}

/** One issue a Standard Schema (or Warren's check of a primitive parameter) found. */
export interface ValidationIssue {
  /** Keys from the payload's root to the offending value (`[]`: the payload itself), e.g. `['items', 0, 'sku']`. */
  path: Array<string | number>;
  message: string;
}

/**
 * A message payload did not satisfy what its handler declared: a class-validator DTO (`details`
 * are `ValidationFailure`s), or a Standard Schema or a primitive parameter type (`details` are
 * `ValidationIssue`s). Never retried.
 */
export class MessageValidationError<D extends ValidationFailure | ValidationIssue = ValidationFailure> extends WarrenError {
  readonly code = 'VALIDATION_FAILED';

  constructor(
    /** What the payload was checked against: the DTO's name, or e.g. `the zod schema of Orders.place`. */
    readonly dto: string,
    readonly failures: D[],
  ) {
    super(`Payload failed validation for ${dto}: ${describeFailures(failures)}`);
  }

  get details(): D[] {
    return this.failures;
  }

  /**
   * From a Standard Schema's issues, e.g. as Nest 12's `StandardSchemaValidationPipe`'s
   * `exceptionFactory` on the microservices transport: with `WarrenRpcExceptionFilter` the caller
   * then gets `VALIDATION_FAILED` with the issues, and an event is parked at once, not retried.
   */
  static fromIssues(issues: ReadonlyArray<StandardSchemaIssue>, target = 'its schema'): MessageValidationError<ValidationIssue> {
    return new MessageValidationError<ValidationIssue>(target, toIssues(issues));
  }
}

/** The messages of failures or issues, joined; an issue's path comes before its message. */
export function describeFailures(failures: Array<ValidationFailure | ValidationIssue>): string {
  return failures
    .flatMap((f) => ('constraints' in f ? Object.values(f.constraints) : [f.path.length > 0 ? `${f.path.join('.')}: ${f.message}` : f.message]))
    .join('; ');
}
