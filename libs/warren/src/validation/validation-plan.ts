import { WarrenConfigurationError } from '../errors/configuration.error';
import { MessageValidationError, ValidationIssue } from '../errors/message-validation.error';
import type { HandlerDefinition } from '../consumer/handler-definition';
import { MESSAGES } from '../warren.messages';
import { hasConstraints, type PayloadValidator } from './payload-validator';
import { Checked, checkAgainst, isPromiseLike } from './schema-check';
import { StandardSchemaV1, isStandardSchema, vendorOf } from './standard-schema';

/**
 * What a handler does with a decoded payload before it is called: returns what the handler gets
 * (a DTO instance, a schema's output) — a promise only for async checks — or throws / rejects
 * with MessageValidationError. Made once per handler when it is registered.
 */
export type ValidationPlan = (payload: unknown) => unknown;

export type PrimitiveName = 'number' | 'string' | 'boolean';

const PRIMITIVES = new Map<unknown, PrimitiveName>([
  [Number, 'number'],
  [String, 'string'],
  [Boolean, 'boolean'],
]);

/** `number` for a parameter TypeScript recorded as `Number`, and so on; undefined for anything else. */
export function primitiveOf(type: unknown): PrimitiveName | undefined {
  return PRIMITIVES.get(type);
}

/**
 * The handler's plan. A schema — the handler's `schema` option, its contract's, or its
 * `@RabbitPayload({ schema })`, at most one of them — wins over the parameter's type, but a
 * parameter typed with a class-validator DTO as well is refused: one of the two would be ignored.
 * Without a schema: the DTO, else the primitive type (number, string, boolean) of the parameter;
 * those two only while the module validates (`validation` is not `false`). `validate: false` on
 * the handler turns every check off.
 */
export function validationPlan(handler: HandlerDefinition, validator: PayloadValidator | undefined): ValidationPlan | undefined {
  if (handler.options.validate === false) return undefined;
  const schema = schemaOf(handler);
  if (schema) {
    const dto = handler.payloadType;
    if (dto && hasConstraints(dto)) throw new WarrenConfigurationError(MESSAGES.schemaAndDto(handler.name, dto.name));
    return schemaPlan(schema, `the ${vendorOf(schema)} schema of ${handler.name}`);
  }
  if (!validator) return undefined;
  const dto = handler.payloadType;
  if (dto) return (payload) => validator.validate(dto, payload);
  if (handler.payloadPrimitive) return primitivePlan(handler.payloadPrimitive, handler.name);
  return undefined;
}

/** The one schema a handler declares, if any; two different ones, or something that is no Standard Schema, are refused. */
function schemaOf(handler: HandlerDefinition): StandardSchemaV1 | undefined {
  const given = [handler.options.schema, handler.options.contractSchema, handler.payloadSchema].filter((s) => s !== undefined);
  for (const schema of given) if (!isStandardSchema(schema)) throw new WarrenConfigurationError(MESSAGES.notAStandardSchema(handler.name));
  const distinct = [...new Set(given)];
  if (distinct.length > 1) throw new WarrenConfigurationError(MESSAGES.twoSchemas(handler.name));
  return distinct[0] as StandardSchemaV1 | undefined;
}

/** Validates with the schema and hands on its output; synchronous for a synchronous schema. */
function schemaPlan(schema: StandardSchemaV1, label: string): ValidationPlan {
  const settle = (checked: Checked): unknown => {
    if (checked.ok) return checked.value;
    throw new MessageValidationError<ValidationIssue>(label, checked.issues);
  };
  return (payload) => {
    const checked = checkAgainst(schema, payload);
    return isPromiseLike(checked) ? checked.then(settle) : settle(checked);
  };
}

function primitivePlan(type: PrimitiveName, handler: string): ValidationPlan {
  const label = `the ${type} parameter of ${handler}`;
  return (payload) => {
    if (typeof payload === type && (type !== 'number' || Number.isFinite(payload))) return payload;
    throw new MessageValidationError<ValidationIssue>(label, [{ path: [], message: `payload must be a ${type === 'number' ? 'finite number' : type}, got ${kindOf(payload)}` }]);
  };
}

/** What a value is, never what it holds (it may be a secret). */
function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'nothing';
  if (Array.isArray(value)) return 'an array';
  if (Buffer.isBuffer(value)) return 'binary content';
  if (typeof value === 'number') return Number.isFinite(value) ? 'a number' : String(value);
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}
