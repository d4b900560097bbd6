import { HttpException } from '@nestjs/common';
import { WarrenError } from '../errors/warren.error';
import { redactText } from '../logging/redact';
import { MESSAGES } from '../warren.messages';

/**
 * A Nest handler's failure as Warren passes it on: to a `@MessagePattern`'s caller as
 * `RemoteError` (code, message, details), into a failed `@EventPattern`'s retry and dead letter.
 */
export class HandlerFailedError extends WarrenError {
  constructor(
    message: string,
    readonly code: string,
    readonly details?: unknown,
  ) {
    super(message);
  }
}

/** Nest's default filter's answer for every error that is not an RpcException. */
function isNestsDefaultAnswer(error: Record<string, unknown>): boolean {
  return error.status === 'error' && error.message === 'Internal server error' && Object.keys(error).length === 2;
}

/**
 * What Nest's exception filters handed over, as an Error: an error as it is (its text redacted);
 * an object (`RpcException`'s error, `{ status: 'error', message }`) with its `code`, `message` and
 * `details` — or, without `details`, its other fields (Nest's `status: 'error'` marker aside).
 */
export function asHandlerFailure(error: unknown, event: boolean): Error {
  if (error instanceof Error) return redacted(error);
  if (typeof error !== 'object' || error === null) return new HandlerFailedError(redactText(String(error)), 'RPC_EXCEPTION');
  const fields = error as Record<string, unknown>;
  if (event && isNestsDefaultAnswer(fields)) return new HandlerFailedError(MESSAGES.eventErrorHidden, 'RPC_EXCEPTION');
  const { code, message, details, status, ...rest } = fields;
  if (status !== undefined && status !== 'error') rest.status = status;
  const text = typeof message === 'string' ? message : JSON.stringify(error);
  const codeText = typeof code === 'string' && code ? code : typeof code === 'number' ? String(code) : 'RPC_EXCEPTION';
  return new HandlerFailedError(redactText(text), codeText, details !== undefined ? details : Object.keys(rest).length > 0 ? rest : undefined);
}

/** The error itself when its text needs no redaction; else a copy with the redacted text, its name, code and details. */
function redacted(error: Error): Error {
  const text = redactText(error.message);
  if (text === error.message) return error;
  const { code, details } = error as Error & { code?: unknown; details?: unknown };
  const copy = Object.assign(new Error(text), { code, details: details ?? (error instanceof HttpException ? error.getResponse() : undefined) });
  copy.name = error.name;
  return copy;
}
