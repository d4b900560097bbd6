import { createRequire } from 'module';
import { join } from 'path';
import type * as NestCommon from '@nestjs/common';
import type * as NestCore from '@nestjs/core';
import type * as ClassValidator from 'class-validator';
import type * as Warren from 'nestjs-warren';

/**
 * The modules a Warren stack is built from: Warren itself and the Nest and class-validator copies it
 * runs with. The bench's own Warren stack takes this checkout's; the baseline stack takes a build of
 * another git ref with that ref's node_modules, so its Nest, amqplib and class-validator are the ones
 * it was released with, and no class or DI token crosses from one copy to the other.
 */
export interface WarrenRuntime {
  common: typeof NestCommon;
  core: typeof NestCore;
  validator: typeof ClassValidator;
  warren: typeof Warren;
}

const loaded = new Map<string, WarrenRuntime>();

/** Loaded on demand (a worker for the baseline never loads this checkout's Warren), once per process. */
function load(from: string, warrenPath: string): WarrenRuntime {
  const key = `${from}\0${warrenPath}`;
  if (!loaded.has(key)) {
    const required = createRequire(from);
    loaded.set(key, {
      common: required('@nestjs/common'),
      core: required('@nestjs/core'),
      validator: required('class-validator'),
      warren: required(warrenPath),
    });
  }
  return loaded.get(key)!;
}

/** This checkout's Warren (libs/warren/dist through the workspace link). */
export function currentWarren(): WarrenRuntime {
  return load(__filename, 'nestjs-warren');
}

/**
 * Warren as built in another checkout (`dir`, a worktree with its own `npm ci`): everything is
 * resolved from its libs/warren, as Warren's own requires are.
 */
export function warrenAt(dir: string): WarrenRuntime {
  const lib = join(dir, 'libs', 'warren');
  return load(join(lib, 'package.json'), lib);
}
