import { Logger, LoggerService } from '@nestjs/common';
import { redactCredentials } from './redact';

/**
 * The logger every Warren class writes through. It strips credentials from every line,
 * whatever the caller put in it, so a URI with a password can never reach a log.
 */
export class WarrenLogger implements LoggerService {
  constructor(
    private readonly context: string,
    private readonly target: LoggerService | false = new Logger(context),
  ) {}

  log(message: string): void {
    if (this.target) this.target.log(redactCredentials(message), this.context);
  }

  warn(message: string): void {
    if (this.target) this.target.warn(redactCredentials(message), this.context);
  }

  error(message: string, error?: unknown): void {
    if (!this.target) return;
    const trace = error instanceof Error && error.stack ? redactCredentials(error.stack) : undefined;
    this.target.error(redactCredentials(message), trace, this.context);
  }

  debug(message: string): void {
    if (this.target && this.target.debug) this.target.debug(redactCredentials(message), this.context);
  }

  verbose(message: string): void {
    if (this.target && this.target.verbose) this.target.verbose(redactCredentials(message), this.context);
  }

  /** A logger with the same target and another context. */
  child(context: string): WarrenLogger {
    return new WarrenLogger(context, this.target === false ? false : this.target);
  }
}
