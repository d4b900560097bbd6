import type { Type } from '@nestjs/common';
import type * as JsonSchemaGenerator from 'class-validator-jsonschema';
import { optionalPeer } from '../peers/optional-peer';
import { isDtoClass } from '../validation/payload-validator';
import type { JsonSchema, Ref } from './asyncapi.types';
import { keyOf, sortedRecord } from './document-ids';
import { isStandardSchema, standardJsonSchema } from './standard-schema';

const SCHEMAS_POINTER = '#/components/schemas/';

type SchemaOptions = NonNullable<Parameters<typeof JsonSchemaGenerator.targetConstructorToSchema>[1]>;

/**
 * class-validator-jsonschema, an optional peer: without it a DTO's schema says only "an object"
 * (and names the package to install), so importing WarrenModule never needs it.
 */
function generator(): typeof JsonSchemaGenerator | undefined {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return optionalPeer('class-validator-jsonschema', () => require('class-validator-jsonschema') as typeof JsonSchemaGenerator);
}

const WITHOUT_GENERATOR: JsonSchema = { type: 'object', description: 'install class-validator-jsonschema to describe DTO payloads' } as JsonSchema;

/** class-transformer's registry, so that `@Type(() => Line)` nests the right class (when this version has it). */
function transformerStorage(): SchemaOptions['classTransformerMetadataStorage'] | undefined {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require('class-transformer/cjs/storage').defaultMetadataStorage;
  } catch {
    return undefined;
  }
}

/**
 * The payload schemas of one document. A DTO class becomes a named schema in
 * `components.schemas` (from its class-validator constraints, by class-validator-jsonschema,
 * with the DTOs it nests); a Standard Schema becomes its JSON Schema, inline. Anything else
 * describes no payload.
 */
export class SchemaCatalog {
  private readonly schemas = new Map<string, JsonSchema>();
  private readonly names = new Map<Type<object>, string>();
  private readonly options: Partial<SchemaOptions> = { refPointerPrefix: SCHEMAS_POINTER, classTransformerMetadataStorage: transformerStorage() };
  /** Every class class-validator knows, computed only when a nested DTO must be looked up by name. */
  private everyClass?: Record<string, JsonSchema>;

  /** A schema for `source` (a DTO class or a Standard Schema), or undefined when it is neither. */
  schemaOf(source: unknown): JsonSchema | Ref | undefined {
    if (isStandardSchema(source)) return this.resolveNested(standardJsonSchema(source));
    if (isDtoClass(source)) return { $ref: SCHEMAS_POINTER + this.addClass(source) };
    return undefined;
  }

  /** A schema the document defines itself (Warren's headers, error replies), under `name`. */
  define(name: string, schema: JsonSchema): Ref {
    this.schemas.set(name, schema);
    return { $ref: SCHEMAS_POINTER + name };
  }

  /** The name `source` is known by: the DTO's class name; undefined for anything else. */
  nameOf(source: unknown): string | undefined {
    if (isStandardSchema(source)) return undefined;
    return isDtoClass(source) ? this.addClass(source) : undefined;
  }

  get components(): Record<string, JsonSchema> {
    return sortedRecord(this.schemas);
  }

  private addClass(dto: Type<object>): string {
    const known = this.names.get(dto);
    if (known) return known;
    const base = keyOf(dto.name || 'Payload');
    let name = base;
    for (let n = 2; this.schemas.has(name); n++) name = `${base}_${n}`;
    this.names.set(dto, name);
    this.schemas.set(name, {}); // reserved before its nested DTOs are resolved (they may refer back)
    const jsonSchema = generator();
    const schema = jsonSchema ? (jsonSchema.targetConstructorToSchema(dto, this.options) as JsonSchema) : WITHOUT_GENERATOR;
    this.schemas.set(name, this.resolveNested({ type: 'object', ...schema }));
    return name;
  }

  /** Adds the DTOs a schema refers to; a reference to a class that has no schema becomes "any value". */
  private resolveNested(schema: JsonSchema): JsonSchema {
    return this.walk(schema) as JsonSchema;
  }

  private walk(node: unknown): unknown {
    if (Array.isArray(node)) return node.map((item) => this.walk(item));
    if (typeof node !== 'object' || node === null) return node;
    const ref = (node as { $ref?: unknown }).$ref;
    if (typeof ref === 'string' && ref.startsWith(SCHEMAS_POINTER)) {
      const name = ref.slice(SCHEMAS_POINTER.length);
      if (this.schemas.has(name) || this.defineNested(name)) return node;
      return { description: `A ${name} (no schema is known for it)` };
    }
    return Object.fromEntries(Object.entries(node).map(([key, value]) => [key, this.walk(value)]));
  }

  private defineNested(name: string): boolean {
    this.everyClass ??= (generator()?.validationMetadatasToSchemas(this.options) ?? {}) as Record<string, JsonSchema>;
    const schema = this.everyClass[name];
    if (!schema) return false;
    this.schemas.set(name, {});
    this.schemas.set(name, this.resolveNested({ type: 'object', ...schema }));
    return true;
  }
}
