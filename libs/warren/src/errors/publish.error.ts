import { WarrenError } from './warren.error';

/** What the broker said when it refused a message (it closed the channel over it). */
export interface PublishErrorDetails {
  /** `CONFIRM_TIMEOUT`, or the broker's reply name such as `PRECONDITION_FAILED` / `NOT_FOUND`. */
  code?: string;
  /** AMQP reply code of a broker refusal, e.g. 406. */
  replyCode?: number;
  /** The broker's reply text, e.g. `PRECONDITION_FAILED - user_id property set to 'x' but authenticated user was 'guest'`. */
  reason?: string;
  /** `'unknown'`: the message may or may not have reached the broker (see `PublishError.outcome`). */
  outcome?: 'unknown';
  messageId?: string;
}

/**
 * The broker refused or did not confirm a published message. With code `CONFIRM_TIMEOUT` (and
 * `outcome: 'unknown'`) the message was written but its confirm did not come in time: it may still
 * arrive — consumers should de-duplicate by `messageId` when the caller publishes it again.
 */
export class PublishError extends WarrenError {
  readonly code?: string;
  readonly replyCode?: number;
  readonly reason?: string;
  /**
   * `'unknown'` when Warren cannot tell whether the broker took the message (its confirm timed out);
   * undefined when it was refused or never sent.
   */
  readonly outcome?: 'unknown';
  /** The message's `messageId`, when the outcome is unknown: what consumers de-duplicate by. */
  readonly messageId?: string;

  constructor(
    message: string,
    readonly exchange: string,
    readonly routingKey: string,
    details: PublishErrorDetails = {},
  ) {
    super(message);
    this.code = details.code;
    this.replyCode = details.replyCode;
    this.reason = details.reason;
    if (details.outcome) this.outcome = details.outcome;
    if (details.messageId !== undefined) this.messageId = details.messageId;
  }
}
