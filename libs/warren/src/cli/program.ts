import { Command } from 'commander';
import { CliContext, type CliIo } from './cli-context';
import { addDebugCommands } from './debug-commands';
import { addDlqCommands } from './dlq-commands';
import { registerAsyncApiDiff } from './asyncapi-diff';
import { cliVersion } from './cli-version';

export type { CliIo } from './cli-context';

/** `warren`: look at, replay and clear dead letters; publish and tail for debugging. */
export function buildProgram(io: CliIo, env: NodeJS.ProcessEnv = process.env): Command {
  const program = new Command('warren')
    .description('Warren command line: dead letters, publish, tail')
    .option('--url <url>', 'AMQP URL (default: RABBITMQ_URL, else amqp://guest:guest@127.0.0.1:5672); a password here is visible to other users, prefer RABBITMQ_URL')
    .option('--management-url <url>', 'management API base (default: WARREN_MANAGEMENT_URL, else http://<AMQP host>:15672); user-info in it is sent as an Authorization header')
    .option('--verbose', 'say which broker and management API endpoints are used (on stderr)')
    .version(cliVersion(), '--version', "print nestjs-warren's version")
    .showHelpAfterError()
    .exitOverride();
  const context = new CliContext(program, io, env);
  addDlqCommands(program, context);
  addDebugCommands(program, context);
  registerAsyncApiDiff(program, io);
  return program;
}
