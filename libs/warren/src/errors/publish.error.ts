import { WarrenError } from './warren.error';

/** What the broker said when it refused a message (it closed the channel over it). */
export interface PublishErrorDetails {
  /** `CONFIRM_TIMEOUT`, or the broker's reply name such as `PRECONDITION_FAILED` / `NOT_FOUND`. */
  code?: string;
  /** AMQP reply code of a broker refusal, e.g. 406. */
  replyCode?: number;
  /** The broker's reply text, e.g. `PRECONDITION_FAILED - user_id property set to 'x' but authenticated user was 'guest'`. */
  reason?: string;
}

/** The broker refused or did not confirm a published message. */
export class PublishError extends WarrenError {
  readonly code?: string;
  readonly replyCode?: number;
  readonly reason?: string;

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
  }
}
