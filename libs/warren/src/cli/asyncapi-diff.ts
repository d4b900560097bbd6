import { readFileSync } from 'fs';
import type { Command } from 'commander';
import { diffAsyncApi } from '../asyncapi/asyncapi-diff';
import type { CliIo } from './program';

/** `warren asyncapi diff` found breaking changes (exit code 1, after naming each). */
class BreakingChangesError extends Error {
  readonly code = 'ASYNCAPI_BREAKING_CHANGES';
}

/** A file that is not a readable JSON AsyncAPI 3 document (exit code 2, like other usage mistakes). */
export class AsyncApiFileError extends Error {
  readonly code = 'ASYNCAPI_BAD_FILE';
}

/**
 * `warren asyncapi diff <old.json> <new.json>`: prints each change, breaking ones first; exits 0
 * when none is breaking, 1 when some are (for CI: fail a release that would break a consumer).
 */
export function registerAsyncApiDiff(program: Command, io: CliIo): void {
  program
    .command('asyncapi')
    .description('AsyncAPI documents (nestjs-warren/asyncapi)')
    .command('diff <old> <new>')
    .description('compare two AsyncAPI 3 documents (JSON); exit 1 if the new one would break a service on the other side')
    .action((oldPath: string, newPath: string) => {
      const before = readDocument(oldPath);
      const after = readDocument(newPath);
      let diff;
      try {
        diff = diffAsyncApi(before, after);
      } catch (error) {
        throw new AsyncApiFileError((error as Error).message);
      }
      for (const change of diff.breaking) io.out(`BREAKING   ${change.text}`);
      for (const change of diff.compatible) io.out(`compatible ${change.text}`);
      if (diff.breaking.length > 0) {
        throw new BreakingChangesError(`${diff.breaking.length} breaking change(s) from ${oldPath} to ${newPath}`);
      }
      io.out(diff.compatible.length === 0 ? 'No changes' : `No breaking changes (${diff.compatible.length} compatible)`);
    });
}

function readDocument(path: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new AsyncApiFileError(`Cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new AsyncApiFileError(`${path} is not JSON: ${(error as Error).message}`);
  }
}
