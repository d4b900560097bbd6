import type { ValidationFailure, ValidationIssue } from './message-validation.error';
import { WarrenError } from './warren.error';

/**
 * The reply to `rpc.call(contract, …)` does not match the contract's `response` (schema or DTO):
 * the call rejects with this instead of resolving with a value of the wrong shape. The handler did
 * run; calling again will not help until it (or the contract) is fixed.
 */
export class InvalidReplyError extends WarrenError {
  readonly code = 'INVALID_REPLY';

  constructor(
    message: string,
    readonly exchange: string,
    readonly routingKey: string,
    /** What is wrong with the reply: the schema's issues, or the DTO's failed constraints. */
    readonly details: Array<ValidationIssue | ValidationFailure>,
  ) {
    super(message);
  }
}
