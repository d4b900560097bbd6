import { WarrenError } from './warren.error';

/**
 * The fault kit (nestjs-warren/testing) refused to act: the node its `rabbitmqctl` drives is not the
 * broker its URL names (or could not be asked), so a stop, alarm or forced close would hit another broker.
 */
export class WrongBrokerError extends WarrenError {
  constructor(
    message: string,
    readonly code: 'WRONG_BROKER' | 'BROKER_UNVERIFIED',
  ) {
    super(message);
  }
}
