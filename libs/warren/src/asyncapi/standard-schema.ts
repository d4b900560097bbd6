import type { JsonSchema } from './asyncapi.types';

/**
 * The part of a Standard Schema (standardschema.dev: zod 4, valibot, arktype…) the AsyncAPI
 * document reads: its vendor, and its Standard JSON Schema interface where the library has one.
 */
export interface StandardSchemaLike {
  readonly '~standard': {
    readonly version: number;
    readonly vendor: string;
    readonly jsonSchema?: {
      /** The JSON Schema of what the schema accepts, in the dialect `target` names. */
      input(options: { target: string }): Record<string, unknown>;
    };
  };
}

/** True for a Standard Schema (an object or function with a `~standard` property naming its vendor). */
export function isStandardSchema(value: unknown): value is StandardSchemaLike {
  if ((typeof value !== 'object' && typeof value !== 'function') || value === null) return false;
  const standard = (value as { '~standard'?: unknown })['~standard'];
  return typeof standard === 'object' && standard !== null && typeof (standard as { vendor?: unknown }).vendor === 'string';
}

/**
 * The JSON Schema of what the schema accepts (its input), as JSON Schema draft-07 — the dialect
 * AsyncAPI Schema extends. A library without the JSON Schema interface, or one that cannot
 * express this schema in draft-07, gets a placeholder that names the vendor and accepts anything.
 */
export function standardJsonSchema(schema: StandardSchemaLike): JsonSchema {
  const standard = schema['~standard'];
  const converter = standard.jsonSchema;
  if (converter && typeof converter.input === 'function') {
    try {
      const converted = converter.input({ target: 'draft-07' });
      if (typeof converted === 'object' && converted !== null && !Array.isArray(converted)) {
        // The document's dialect is declared once by AsyncAPI itself.
        // eslint-disable-next-line @typescript-eslint/no-unused-vars
        const { $schema, ...rest } = converted as JsonSchema;
        return rest;
      }
    } catch {
      // Not expressible as draft-07: fall through to the placeholder.
    }
  }
  return standardSchemaPlaceholder(standard.vendor);
}

/** What a Standard Schema without a usable JSON Schema becomes: any payload, with the vendor named. */
function standardSchemaPlaceholder(vendor: string): JsonSchema {
  return {
    description: `Checked by a ${vendor} Standard Schema that offers no JSON Schema (draft-07); its shape is not described here`,
    'x-warren-standard-schema': vendor,
  };
}
