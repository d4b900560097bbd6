import { WarrenError } from './warren.error';

/** The broker refused or did not confirm a published message. */
export class PublishError extends WarrenError {
  constructor(
    message: string,
    readonly exchange: string,
    readonly routingKey: string,
  ) {
    super(message);
  }
}
