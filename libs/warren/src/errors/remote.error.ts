import { WarrenError } from './warren.error';

/** The shape in which an RPC error travels from the handler to the caller. */
export interface RemoteErrorPayload {
  code: string;
  message: string;
  details?: unknown;
}

/**
 * The remote RPC handler failed: it threw, or the request payload failed validation
 * (`code: 'VALIDATION_FAILED'`; `details` lists a DTO's failed constraints, or a schema's or a
 * primitive parameter's issues as `{ path, message }`).
 */
export class RemoteError extends WarrenError {
  readonly code: string;
  readonly details?: unknown;

  constructor(payload: RemoteErrorPayload) {
    super(payload.message);
    this.code = payload.code;
    this.details = payload.details;
  }

  /** The error as it travels: `{ code, message, details }`. */
  toJSON(): RemoteErrorPayload {
    return { code: this.code, message: this.message, details: this.details };
  }
}
