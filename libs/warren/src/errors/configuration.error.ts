import { WarrenError } from './warren.error';

/** Warren's options or handler declarations are wrong; the message says which and how to fix it. */
export class WarrenConfigurationError extends WarrenError {
  readonly code: string = 'INVALID_CONFIGURATION';
}
