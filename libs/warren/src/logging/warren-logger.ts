import { Logger, LoggerService } from '@nestjs/common';
import { redactText } from './redact';

/**
 * The logger every Warren class writes through. Every line goes through redactText, whatever the
 * caller put in it, so a URI with a password (or what the app's `redact` hook names) never reaches a log.
 * The context goes as the last argument, as LoggerService expects; the default target is a
 * context-less Nest Logger, which would otherwise append a context of its own.
 */
export class WarrenLogger implements LoggerService {
  constructor(
    private readonly context: string,
    private readonly target: LoggerService | false = new Logger(),
  ) {}

  log(message: string): void {
    // A user's logger may lack methods (golevelup accepted any object); a missing one is skipped.
    if (this.target && this.target.log) this.target.log(redactText(message), this.context);
  }

  warn(message: string): void {
    if (this.target && this.target.warn) this.target.warn(redactText(message), this.context);
  }

  error(message: string, error?: unknown): void {
    if (!this.target || !this.target.error) return;
    const text = redactText(message);
    // Nest reads (message, stack, context); with no stack, an `undefined` would print literally.
    if (error instanceof Error && error.stack) this.target.error(text, redactText(error.stack), this.context);
    else this.target.error(text, this.context);
  }

  debug(message: string): void {
    if (this.target && this.target.debug) this.target.debug(redactText(message), this.context);
  }

  verbose(message: string): void {
    if (this.target && this.target.verbose) this.target.verbose(redactText(message), this.context);
  }

  /** A logger with the same target and another context. */
  child(context: string): WarrenLogger {
    return new WarrenLogger(context, this.target);
  }
}
