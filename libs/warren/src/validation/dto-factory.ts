import type { Type } from '@nestjs/common';
import { plainToInstance } from 'class-transformer';

interface TransformerStorage {
  _typeMetadatas: Map<unknown, unknown>;
  _transformMetadatas: Map<unknown, unknown>;
  _exposeMetadatas: Map<unknown, unknown>;
  _excludeMetadatas: Map<unknown, unknown>;
}

/** class-transformer's registry of @Type/@Transform/@Expose/@Exclude, if this version still has it. */
function transformerStorage(): TransformerStorage | undefined {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const storage = require('class-transformer/cjs/storage').defaultMetadataStorage as TransformerStorage;
    return storage._typeMetadatas instanceof Map ? storage : undefined;
  } catch {
    return undefined;
  }
}

const storage = transformerStorage();
const needsTransformer = new WeakMap<Type<object>, boolean>();

/** True when `dto` or a class it extends uses class-transformer decorators. */
function usesTransformer(dto: Type<object>): boolean {
  if (!storage) return true; // cannot tell: always take the full path
  let known = needsTransformer.get(dto);
  if (known === undefined) {
    known = false;
    for (let target: unknown = dto; typeof target === 'function' && target !== Function.prototype; target = Object.getPrototypeOf(target)) {
      if ([storage._typeMetadatas, storage._transformMetadatas, storage._exposeMetadatas, storage._excludeMetadatas].some((m) => m.has(target))) {
        known = true;
        break;
      }
    }
    needsTransformer.set(dto, known);
  }
  return known;
}

const hasOwn = Object.prototype.hasOwnProperty;

/**
 * Keys a payload must not copy onto an instance: `__proto__` would replace its prototype (so
 * class-validator finds no constraints), an own `constructor` hides its class from class-validator
 * (which looks constraints up by `instance.constructor`). `prototype` means nothing on an instance
 * and is copied like any other key. class-transformer skips the same two.
 */
function touchesClass(payload: object): boolean {
  return hasOwn.call(payload, '__proto__') || hasOwn.call(payload, 'constructor');
}

/**
 * The payload as an instance of `dto`. plainToInstance walks every property through reflection
 * (about 8 µs for a small event); a DTO without class-transformer decorators gets the same
 * result from its constructor and a shallow copy of the freshly parsed payload.
 */
export function toDtoInstance<T extends object>(dto: Type<T>, payload: object): T {
  if (usesTransformer(dto)) return plainToInstance(dto, payload);
  const instance = new dto();
  if (!touchesClass(payload)) return Object.assign(instance, payload);
  const target = instance as Record<string, unknown>;
  for (const [key, value] of Object.entries(payload)) if (key !== '__proto__' && key !== 'constructor') target[key] = value;
  return instance;
}
