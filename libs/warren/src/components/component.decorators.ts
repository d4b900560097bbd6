import { SetMetadata } from '@nestjs/common';
import type { StandardSchemaV1 } from '../validation/standard-schema';
import { COMPONENT_METADATA, COMPONENT_METHOD_METADATA } from './components.constants';

/** Options of `@Component(name, options)`. */
export interface ComponentOptions {
  /** Announced to the registry. @default '0.0.0' */
  version?: string;
}

/** A provider whose `@ComponentMethod()`s other services call by name: `call('IntSummator', 'int_sum', { a, b })`. */
export const Component = (name: string, options: ComponentOptions = {}): ClassDecorator =>
  SetMetadata(COMPONENT_METADATA, { name, version: options.version ?? '0.0.0' });

/** Options of `@ComponentMethod(options)`. */
export interface ComponentMethodOptions {
  /** The name callers use. @default the method's name */
  name?: string;
  /**
   * A Standard Schema (zod, valibot, arktype…) of the arguments object: the method is called with
   * its output as its one argument, and invalid arguments are refused with `VALIDATION_FAILED`
   * (messages by path). Its JSON Schema, when the schema offers one, is announced to the registry.
   */
  schema?: StandardSchemaV1;
}

/**
 * A method callers reach by its name (or `name`). Arguments are validated from its parameter types
 * (each primitive parameter by name, or a class-validator DTO), or by `schema`.
 */
export const ComponentMethod = (nameOrOptions?: string | ComponentMethodOptions): MethodDecorator =>
  SetMetadata(COMPONENT_METHOD_METADATA, typeof nameOrOptions === 'string' || nameOrOptions === undefined ? { name: nameOrOptions } : { ...nameOrOptions });
