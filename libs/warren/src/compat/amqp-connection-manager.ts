import { Injectable } from '@nestjs/common';
import { AmqpConnection } from './amqp-connection';
import { DEFAULT_CONNECTION_NAME } from './compat.constants';

/**
 * golevelup's registry of connections by name. Warren has one connection per application
 * module, so this holds exactly one; unlike golevelup's it is not shared by every app in the process.
 */
@Injectable()
export class AmqpConnectionManager {
  constructor(private readonly connection: AmqpConnection) {}

  /** The connection called `name` ('default' when its configuration has no name), else undefined. */
  getConnection(name: string = DEFAULT_CONNECTION_NAME): AmqpConnection | undefined {
    return name === this.connection.name ? this.connection : undefined;
  }

  getConnections(): AmqpConnection[] {
    return [this.connection];
  }
}
