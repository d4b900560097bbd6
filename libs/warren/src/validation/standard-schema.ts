/**
 * The part of the Standard Schema v1 interface (standardschema.dev) Warren relies on, declared
 * here so that no validator library — nor `@standard-schema/spec` — becomes a dependency: zod 4,
 * valibot 1, arktype 2 and any other implementation are assignable to it as they are.
 */

/** One problem a schema found: what is wrong, and where in the value (keys from the root). */
export interface StandardSchemaIssue {
  readonly message: string;
  readonly path?: ReadonlyArray<PropertyKey | { readonly key: PropertyKey }> | undefined;
}

/** What `validate` returns: the (possibly transformed) value, or the issues. */
export type StandardSchemaResult<Output> = { readonly value: Output; readonly issues?: undefined } | { readonly issues: ReadonlyArray<StandardSchemaIssue> };

/** A Standard Schema v1: an object (or function, as arktype's are) with a `~standard` property. */
export interface StandardSchemaV1<Input = unknown, Output = Input> {
  readonly '~standard': {
    readonly version: 1;
    readonly vendor: string;
    /** Checks a value: the output, or the issues. */
    readonly validate: (value: unknown) => StandardSchemaResult<Output> | Promise<StandardSchemaResult<Output>>;
    /** Type carriers only; never read at run time. */
    readonly types?: { readonly input: Input; readonly output: Output } | undefined;
  };
}

/** The type a schema accepts (what a sender passes). */
export type SchemaInput<S extends StandardSchemaV1> = NonNullable<S['~standard']['types']>['input'];
/** The type a schema produces (what a handler receives, transforms applied). */
export type SchemaOutput<S extends StandardSchemaV1> = NonNullable<S['~standard']['types']>['output'];

/** True for any Standard Schema v1 implementation. */
export function isStandardSchema(value: unknown): value is StandardSchemaV1 {
  if ((typeof value !== 'object' && typeof value !== 'function') || value === null) return false;
  const standard = (value as { '~standard'?: { version?: unknown; validate?: unknown } })['~standard'];
  return typeof standard === 'object' && standard !== null && standard.version === 1 && typeof standard.validate === 'function';
}

/** `zod`, `valibot`, `arktype`…: for messages. */
export function vendorOf(schema: StandardSchemaV1): string {
  const vendor = schema['~standard'].vendor;
  return typeof vendor === 'string' && /^[\w.@/-]{1,40}$/.test(vendor) ? vendor : 'Standard Schema';
}
