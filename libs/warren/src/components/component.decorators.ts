import { SetMetadata } from '@nestjs/common';
import { COMPONENT_METADATA, COMPONENT_METHOD_METADATA } from './components.constants';

export interface ComponentOptions {
  /** Announced to the registry. @default '0.0.0' */
  version?: string;
}

/** A provider whose `@ComponentMethod()`s other services call by name: `call('IntSummator', 'int_sum', { a, b })`. */
export const Component = (name: string, options: ComponentOptions = {}): ClassDecorator =>
  SetMetadata(COMPONENT_METADATA, { name, version: options.version ?? '0.0.0' });

/** A method callers reach by its name (or `name`). Arguments are validated from its parameter types. */
export const ComponentMethod = (name?: string): MethodDecorator => SetMetadata(COMPONENT_METHOD_METADATA, { name });
