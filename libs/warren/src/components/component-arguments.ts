import type { Type } from '@nestjs/common';
import { plainToInstance } from 'class-transformer';
import { getMetadataStorage, validate } from 'class-validator';
import type * as JsonSchemaGenerator from 'class-validator-jsonschema';
import { optionalPeer } from '../peers/optional-peer';

/** How a component method takes its arguments, read once from its declaration. */
export interface MethodSignature {
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

/** A single parameter typed with a class that has class-validator constraints is a DTO. */
export function signatureOf(prototype: object, method: string): MethodSignature {
  const types: unknown[] = Reflect.getMetadata('design:paramtypes', prototype, method) ?? [];
  const names = parameterNames((prototype as Record<string, (...args: unknown[]) => unknown>)[method]);
  const first = types[0];
  if (types.length === 1 && typeof first === 'function' && !PRIMITIVES.has(first) && hasConstraints(first)) {
    return { dto: first as Type<object>, params: [{ name: names[0] ?? 'args', type: (first as Type<object>).name }] };
  }
  return { params: names.map((name, i) => ({ name, type: PRIMITIVES.get(types[i]) ?? 'any' })) };
}

/**
 * The JSON Schema of a method's arguments object, announced to the registry: a DTO's from its
 * class-validator constraints, else one property per parameter. The DTO's needs the optional peer
 * class-validator-jsonschema; without it the schema says only "an object" (`params` still names
 * the DTO class, and the host validates calls against it all the same).
 */
export function argumentsSchema(signature: MethodSignature): Record<string, unknown> {
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

function hasConstraints(type: unknown): boolean {
  return getMetadataStorage().getTargetValidationMetadatas(type as new () => object, '', true, false).length > 0;
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
