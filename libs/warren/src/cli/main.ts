#!/usr/bin/env node
import { CommanderError } from 'commander';
import { redactCredentials } from '../logging/redact';
import { UsageError, buildProgram } from './program';
import { AsyncApiFileError } from './asyncapi-diff';

/** `npx warren …`: exit 0 when done, 1 when it failed, 2 when it was called wrongly. */
async function main(): Promise<number> {
  const io = { out: (line: string) => process.stdout.write(`${line}\n`), err: (line: string) => process.stderr.write(`${line}\n`) };
  try {
    await buildProgram(io).parseAsync(process.argv);
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 2;
    io.err(`warren: ${redactCredentials((error as Error).message)}`);
    return error instanceof UsageError || error instanceof AsyncApiFileError ? 2 : 1;
  }
}

void main().then((code) => {
  process.exitCode = code;
});
