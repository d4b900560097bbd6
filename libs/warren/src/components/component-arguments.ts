import type { Type } from '@nestjs/common';
import { plainToInstance } from 'class-transformer';
import { validate } from 'class-validator';
import type * as JsonSchemaGenerator from 'class-validator-jsonschema';
import { optionalPeer } from '../peers/optional-peer';
import { WarrenConfigurationError } from '../errors/configuration.error';
import { MESSAGES } from '../warren.messages';
import { hasConstraints } from '../validation/payload-validator';
import { checkAgainst } from '../validation/schema-check';
import { StandardSchemaV1, isStandardSchema, vendorOf } from '../validation/standard-schema';

/** How a component method takes its arguments, read once from its declaration. */
export interface MethodSignature {
  /** `@ComponentMethod({ schema })`: the arguments object is validated by it; the method gets its output. */
  schema?: StandardSchemaV1;
  /** One class-typed parameter: the arguments object is validated against it (class-validator). */
  dto?: Type<object>;
  /** Otherwise each parameter by name, with the primitive type TypeScript recorded for it. */
  params: Array<{ name: string; type: string }>;
}

const PRIMITIVES = new Map<unknown, string>([
  [Number, 'number'],
  [String, 'string'],
  [Boolean, 'boolean'],
]);

/**
 * A single parameter typed with a class that has class-validator constraints is a DTO. A schema
 * takes the arguments object instead; given beside such a DTO it is refused (one would be ignored).
 */
export function signatureOf(prototype: object, method: string, schema?: unknown, component = prototype.constructor.name): MethodSignature {
  const types: unknown[] = Reflect.getMetadata('design:paramtypes', prototype, method) ?? [];
  const names = parameterNames((prototype as Record<string, (...args: unknown[]) => unknown>)[method]);
  const first = types[0];
  const dto = types.length === 1 && typeof first === 'function' && !PRIMITIVES.has(first) && hasConstraints(first) ? (first as Type<object>) : undefined;
  if (schema !== undefined) {
    if (!isStandardSchema(schema)) throw new WarrenConfigurationError(MESSAGES.notAStandardSchema(`component method ${component}.${method}`));
    if (dto) throw new WarrenConfigurationError(MESSAGES.componentSchemaAndDto(component, method, dto.name));
    return { schema, params: [{ name: names[0] ?? 'args', type: `${vendorOf(schema)} schema` }] };
  }
  if (dto) return { dto, params: [{ name: names[0] ?? 'args', type: dto.name }] };
  return { params: names.map((name, i) => ({ name, type: PRIMITIVES.get(types[i]) ?? 'any' })) };
}

/**
 * The JSON Schema of a method's arguments object, announced to the registry: a DTO's from its
 * class-validator constraints, else one property per parameter. The DTO's needs the optional peer
 * class-validator-jsonschema; without it the schema says only "an object" (`params` still names
 * the DTO class, and the host validates calls against it all the same).
 */
export function argumentsSchema(signature: MethodSignature): Record<string, unknown> {
  if (signature.schema) return jsonSchemaOf(signature.schema);
  if (signature.dto) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const generator = optionalPeer('class-validator-jsonschema', () => require('class-validator-jsonschema') as typeof JsonSchemaGenerator);
    return generator ? (generator.targetConstructorToSchema(signature.dto) as Record<string, unknown>) : { type: 'object' };
  }
  const properties = Object.fromEntries(signature.params.map((p) => [p.name, p.type === 'any' ? {} : { type: p.type }]));
  return { type: 'object', properties, required: signature.params.map((p) => p.name), additionalProperties: false };
}

/** Checks the call's arguments; returns what to call the method with, or the messages per argument. */
export async function bindArguments(signature: MethodSignature, args: unknown): Promise<{ values: unknown[] } | { errors: Record<string, string[]> }> {
  const given = typeof args === 'object' && args !== null && !Array.isArray(args) ? (args as Record<string, unknown>) : undefined;
  if (!given) return { errors: { args: ['must be an object of argument names to values'] } };
  if (signature.schema) {
    const checked = await checkAgainst(signature.schema, given);
    if (checked.ok) return { values: [checked.value] };
    const errors: Record<string, string[]> = {};
    for (const issue of checked.issues) (errors[issue.path.join('.') || 'args'] ??= []).push(issue.message);
    return { errors };
  }
  if (signature.dto) {
    const instance = plainToInstance(signature.dto, given);
    const failures = await validate(instance, { forbidUnknownValues: false });
    if (failures.length === 0) return { values: [instance] };
    return { errors: Object.fromEntries(failures.map((f) => [f.property, Object.values(f.constraints ?? { invalid: `${f.property} is invalid` })])) };
  }
  const errors: Record<string, string[]> = {};
  for (const { name, type } of signature.params) {
    const value = given[name];
    if (value === undefined) errors[name] = [`${name} is required`];
    else if (type !== 'any' && typeof value !== type) errors[name] = [`${name} must be a ${type}`];
    else if (type === 'number' && !Number.isFinite(value)) errors[name] = [`${name} must be a finite number`];
  }
  const unknown = Object.keys(given).filter((key) => !signature.params.some((p) => p.name === key));
  for (const key of unknown) errors[key] = [`${key} is not an argument of this method`];
  if (Object.keys(errors).length > 0) return { errors };
  return { values: signature.params.map((p) => given[p.name]) };
}

/** A schema's JSON Schema of its input, where it offers one (zod 4 does: Standard JSON Schema); else any object. */
function jsonSchemaOf(schema: StandardSchemaV1): Record<string, unknown> {
  const json = (schema['~standard'] as { jsonSchema?: { input?: (options: { target: string }) => unknown } }).jsonSchema;
  try {
    const made = json?.input?.({ target: 'draft-2020-12' });
    if (typeof made === 'object' && made !== null && !Array.isArray(made)) return made as Record<string, unknown>;
  } catch {
    // a schema that cannot be expressed in JSON Schema (a transform, a custom check): announced as any object
  }
  return { type: 'object' };
}

/** Parameter names from the compiled function's source (TypeScript keeps them). */
function parameterNames(fn: ((...args: unknown[]) => unknown) | undefined): string[] {
  if (!fn) return [];
  const source = fn.toString().replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, '');
  const list = source.slice(source.indexOf('(') + 1, source.indexOf(')'));
  return list
    .split(',')
    .map((part) => part.replace(/=[\s\S]*$/, '').trim())
    .filter((name) => /^[A-Za-z_$][\w$]*$/.test(name));
}
