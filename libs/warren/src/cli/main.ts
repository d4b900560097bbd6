#!/usr/bin/env node
import { CommanderError } from 'commander';
import { CommandFailedError, UsageError } from './cli-errors';
import { buildProgram } from './program';
import { printable } from './terminal-text';
import { AsyncApiFileError } from './asyncapi-diff';

/** `npx warren …`: exit 0 when done, 1 when it failed, 2 when it was called wrongly. One line per error, no stack. */
async function main(): Promise<number> {
  const io = { out: (line: string) => process.stdout.write(`${line}\n`), err: (line: string) => process.stderr.write(`${line}\n`) };
  try {
    await buildProgram(io).parseAsync(process.argv);
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 2;
    const message = error instanceof Error ? error.message : String(error);
    if (!(error instanceof CommandFailedError && message === '')) io.err(`warren: ${printable(message)}`);
    return error instanceof UsageError || error instanceof AsyncApiFileError ? 2 : 1;
  }
}

// A reader that goes away (`warren dlq list | head`) ends the output, not with a stack trace.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
    process.exit(process.exitCode ?? 0);
  });
}

void main().then((code) => {
  process.exitCode = code;
});
