import type { ContractValidator } from '../contracts/contracts';
import { describeTarget } from '../errors/describe-target';
import { InvalidMessageError } from '../errors/invalid-message.error';
import { InvalidReplyError } from '../errors/invalid-reply.error';
import { MessageValidationError, describeFailures } from '../errors/message-validation.error';
import { MESSAGES } from '../warren.messages';
import type { PayloadValidator } from './payload-validator';
import { Checked, checkAgainst, isPromiseLike } from './schema-check';
import { isStandardSchema, vendorOf } from './standard-schema';

/**
 * A sender's check of a contract payload (publish, RPC request) against the contract's Standard
 * Schema: undefined when it passes synchronously, a promise for an async schema; a payload that
 * fails throws (or rejects with) `InvalidMessageError` on field `payload`, with the issues as
 * `details`. What is sent is the payload as given: the receiver's schema parses it again. A DTO
 * contract is checked by its receivers only, as before schemas.
 */
export function checkOutgoing(validator: ContractValidator | undefined, payload: unknown): Promise<void> | undefined {
  if (!isStandardSchema(validator)) return undefined;
  const vendor = vendorOf(validator);
  const settle = (checked: Checked): undefined => {
    if (checked.ok) return undefined;
    throw new InvalidMessageError('payload', MESSAGES.publishInvalid(vendor, describeFailures(checked.issues)), checked.issues);
  };
  const checked = checkAgainst(validator, payload);
  return isPromiseLike(checked) ? checked.then(settle) : settle(checked);
}

/**
 * A caller's check of a reply against the contract's `response`: a schema's output, a DTO's
 * instance (when the module validates DTOs), else the reply as it came; `InvalidReplyError` when
 * it does not match.
 */
export function checkReply(
  validator: ContractValidator | undefined,
  reply: unknown,
  target: { exchange: string; routingKey: string },
  dtos: PayloadValidator | undefined,
): unknown {
  if (validator === undefined) return reply;
  const where = describeTarget(target.exchange, target.routingKey);
  if (isStandardSchema(validator)) {
    const vendor = vendorOf(validator);
    const settle = (checked: Checked): unknown => {
      if (checked.ok) return checked.value;
      throw new InvalidReplyError(MESSAGES.replyInvalid(where, `${vendor} schema`, describeFailures(checked.issues)), target.exchange, target.routingKey, checked.issues);
    };
    const checked = checkAgainst(validator, reply);
    return isPromiseLike(checked) ? checked.then(settle) : settle(checked);
  }
  if (!dtos) return reply;
  return dtos.validate(validator, reply).catch((error: unknown) => {
    if (!(error instanceof MessageValidationError)) throw error;
    throw new InvalidReplyError(MESSAGES.replyInvalid(where, validator.name, describeFailures(error.failures)), target.exchange, target.routingKey, error.failures);
  });
}
