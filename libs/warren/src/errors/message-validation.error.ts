import { WarrenError } from './warren.error';

/** One property that failed validation, with class-validator's constraint messages. */
export interface ValidationFailure {
  /** Dotted path of the property, e.g. `items.0.sku`. */
  property: string;
  /** Constraint name → message, e.g. `{ isInt: 'a must be an integer number' }`. */
  constraints: Record<string, string>;
}

/** A message payload did not satisfy the DTO its handler declared. Never retried. */
export class MessageValidationError extends WarrenError {
  readonly code = 'VALIDATION_FAILED';

  constructor(
    readonly dto: string,
    readonly failures: ValidationFailure[],
  ) {
    super(
      `Payload failed validation for ${dto}: ` +
        failures.flatMap((f) => Object.values(f.constraints)).join('; '),
    );
  }

  get details(): ValidationFailure[] {
    return this.failures;
  }
}
