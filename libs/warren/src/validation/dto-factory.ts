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

/**
 * The payload as an instance of `dto`. plainToInstance walks every property through reflection
 * (about 8 µs for a small event); a DTO without class-transformer decorators gets the same
 * result from its constructor and a shallow copy of the freshly parsed payload.
 */
export function toDtoInstance<T extends object>(dto: Type<T>, payload: object): T {
  if (usesTransformer(dto)) return plainToInstance(dto, payload);
  return Object.assign(new dto(), payload);
}
