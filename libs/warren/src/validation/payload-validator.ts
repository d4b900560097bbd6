import type { Type } from '@nestjs/common';
import { ValidationError, ValidatorOptions, getMetadataStorage, validate } from 'class-validator';
import { MessageValidationError, ValidationFailure } from '../errors/message-validation.error';
import { toDtoInstance } from './dto-factory';

/** Turns a decoded payload into an instance of the handler's DTO class, or throws MessageValidationError. */
export class PayloadValidator {
  constructor(private readonly options: ValidatorOptions) {}

  async validate<T extends object>(dto: Type<T>, payload: unknown): Promise<T> {
    if (payload === null || typeof payload !== 'object' || Array.isArray(payload) || Buffer.isBuffer(payload)) {
      throw new MessageValidationError(dto.name, [
        { property: '(payload)', constraints: { isObject: `payload must be a JSON object matching ${dto.name}` } },
      ]);
    }
    const instance = toDtoInstance(dto, payload as object);
    const errors = await validate(instance, this.options);
    if (errors.length > 0) throw new MessageValidationError(dto.name, flatten(errors, ''));
    return instance;
  }
}

function flatten(errors: ValidationError[], parent: string): ValidationFailure[] {
  return errors.flatMap((error) => {
    const property = parent ? `${parent}.${error.property}` : error.property;
    const own: ValidationFailure[] = error.constraints ? [{ property, constraints: { ...error.constraints } }] : [];
    return own.concat(flatten(error.children ?? [], property));
  });
}

/** Built-in types that say nothing about a payload's shape. */
const NOT_DTOS = new Set<unknown>([Object, String, Number, Boolean, Array, Buffer, Promise, Function, Symbol, Date, Map, Set, Uint8Array]);

/** True for a user class worth validating against (what `design:paramtypes` recorded for the payload). */
export function isDtoClass(type: unknown): type is Type<object> {
  return typeof type === 'function' && !NOT_DTOS.has(type);
}

/** True for a class with class-validator constraints (its own or inherited). */
export function hasConstraints(type: unknown): boolean {
  return typeof type === 'function' && getMetadataStorage().getTargetValidationMetadatas(type as new () => object, '', true, false).length > 0;
}
