import { dirname, join } from 'path';
import { existsSync, readFileSync } from 'fs';
import { WarrenConfigurationError } from '../errors/configuration.error';
import { MESSAGES } from '../warren.messages';

/**
 * amqplib's internal modules (`lib/connection.js`, `lib/channel_model.js`, …), loaded by absolute
 * path: amqplib 2.x's package `exports` hides `lib/` from `require('amqplib/lib/…')`, and the path is
 * what Node caches modules by, so these are the very modules amqplib itself uses. amqplib 0.10.x,
 * which has no exports map, is reached the same way.
 */

/** The folder of the amqplib Node resolves from `from` (Warren's own by default). */
export function amqplibRoot(from?: string): string {
  const entry = from === undefined ? require.resolve('amqplib') : require.resolve('amqplib', { paths: [from] });
  return packageRoot(entry);
}

/** The version in the package.json at `root`. */
export function amqplibVersion(root: string): string {
  return (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version?: string }).version ?? 'unknown';
}

/** `lib/<file>.js` of the amqplib at `root` (Warren's own by default). */
export function amqplibFile<T>(file: string, root: string = amqplibRoot()): T {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require(join(root, 'lib', `${file}.js`)) as T;
}

function packageRoot(entry: string): string {
  for (let dir = dirname(entry); dir !== dirname(dir); dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'lib', 'connection.js'))) return dir;
  }
  throw new WarrenConfigurationError(MESSAGES.amqplibGuardUnsupported('unknown', entry, 'its package folder was not found'));
}
