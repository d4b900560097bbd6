import { Injectable } from '@nestjs/common';
import { DiscoveryService } from '@nestjs/core';
import { DEFAULT_CONNECTION_NAME } from '../warren.tokens';
import { AmqpConnection } from './amqp-connection';

/**
 * golevelup's registry of connections by name: every `RabbitMQModule` of this application, one
 * `AmqpConnection` each. Unlike golevelup's it holds no static state: it asks Nest for the
 * application's connections, so two applications in one process never see each other's.
 */
@Injectable()
export class AmqpConnectionManager {
  /** Connections built by hand and added (golevelup's `addConnection`). */
  private readonly added = new Set<AmqpConnection>();

  constructor(private readonly discovery: DiscoveryService) {}

  /** Adds a connection built by hand (`new AmqpConnection(config)`), as golevelup's manager does. */
  addConnection(connection: AmqpConnection): void {
    this.added.add(connection);
  }

  /** The connection called `name` ('default' for a configuration without a name), else undefined. */
  getConnection(name: string = DEFAULT_CONNECTION_NAME): AmqpConnection | undefined {
    // Several modules may share a name (golevelup: the last one registered wins).
    return this.getConnections().filter((connection) => connection.name === name).pop();
  }

  /** Every connection: those of the application's `RabbitMQModule`s, then those added by hand. */
  getConnections(): AmqpConnection[] {
    const found = new Set<AmqpConnection>();
    for (const connection of this.added) found.add(connection);
    for (const wrapper of this.discovery.getProviders()) {
      if (wrapper.instance instanceof AmqpConnection) found.add(wrapper.instance);
    }
    // Hand-added ones last: golevelup's "the last one registered wins" for a shared name.
    return [...found].sort((a, b) => Number(this.added.has(a)) - Number(this.added.has(b)));
  }
}
