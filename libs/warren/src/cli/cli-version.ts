import { readFileSync } from 'fs';
import { join } from 'path';

/**
 * nestjs-warren's version, from its package.json: two levels above this file both in the sources
 * (src/cli) and in the build (dist/cli). 'unknown' if it cannot be read.
 */
export function cliVersion(): string {
  try {
    const manifest = JSON.parse(readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8')) as { name?: unknown; version?: unknown };
    return manifest.name === 'nestjs-warren' && typeof manifest.version === 'string' ? manifest.version : 'unknown';
  } catch {
    return 'unknown';
  }
}
