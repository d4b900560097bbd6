import { WarrenError } from '../errors/warren.error';

/** A mistake in how the command was called (exit code 2), as opposed to a failure (1). */
export class UsageError extends WarrenError {
  readonly code = 'CLI_USAGE';
}

/**
 * A command that failed (exit code 1). Its message is one printable line, already redacted and
 * escaped; an empty message means the failure was reported while the command ran.
 */
export class CommandFailedError extends WarrenError {
  readonly code = 'CLI_FAILED';
}

/** The reason RabbitMQ gave when it closed a channel (`NOT_FOUND - no queue 'x' …`), else the error's text. */
export function brokerReason(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  const quoted = /with message "([^"]*)"/.exec(text);
  return quoted ? quoted[1] : text;
}
