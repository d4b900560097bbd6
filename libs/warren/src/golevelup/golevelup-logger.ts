import type { LoggerService } from '@nestjs/common';

/**
 * The user's logger as golevelup called it: one argument per line (golevelup passed no context),
 * plus the error's stack when there is one. Warren's context is kept at the start of the text.
 */
export function golevelupStyleLogger(target: LoggerService): LoggerService {
  const line = (message: unknown, context: unknown) => (typeof context === 'string' && context ? `[${context}] ${String(message)}` : String(message));
  const lastIsContext = (args: unknown[]) => (args.length > 0 ? args[args.length - 1] : undefined);
  return {
    log: (message: unknown, ...rest: unknown[]) => target.log?.(line(message, lastIsContext(rest))),
    warn: (message: unknown, ...rest: unknown[]) => target.warn?.(line(message, lastIsContext(rest))),
    error: (message: unknown, ...rest: unknown[]) =>
      rest.length > 1 ? target.error?.(line(message, rest[rest.length - 1]), rest[0]) : target.error?.(line(message, rest[0])),
    debug: (message: unknown, ...rest: unknown[]) => target.debug?.(line(message, lastIsContext(rest))),
    verbose: (message: unknown, ...rest: unknown[]) => target.verbose?.(line(message, lastIsContext(rest))),
  };
}
