import { Injectable } from '@nestjs/common';
import { BrokerConnection } from '../connection/broker-connection';
import { ConsumerState, WarrenConsumers } from '../consumer/warren-consumers';

/** One connection's state. `node`: the URI (without credentials) of the node it is on, while connected. */
export interface ConnectionHealth {
  name: string;
  connected: boolean;
  node?: string;
  /** The broker's reason while it blocks this connection's publishes (a memory or disk alarm). */
  blocked?: string;
  /** The version the broker announced when this connection was established, e.g. '4.3.6'. */
  brokerVersion?: string;
}

/** Warren's health at one moment, as `WarrenStatus.check()` and the health indicator report it. */
export interface WarrenHealth {
  /** Both connections up, publishing not blocked, and every consumer that is not paused attached. */
  up: boolean;
  /** Why it is not up (empty when it is). */
  problems: string[];
  /** The connection consumers use (and the topology is declared on). */
  connection: ConnectionHealth;
  /** The connection Warren publishes on (`<name>.publish`): the one a broker alarm blocks. */
  publishConnection: ConnectionHealth;
  consumers: ConsumerState[];
}

/**
 * Whether Warren can do its work — for readiness probes, dashboards or your own checks (no
 * @nestjs/terminus needed; `WarrenHealthIndicator` wraps this for terminus). A consumer counts as
 * attached only while the broker has it subscribed (its channel is live and its consume-ok came);
 * while its channel re-opens it is a problem, and the status is down. A paused consumer is
 * reported as paused, not as a failure.
 */
@Injectable()
export class WarrenStatus {
  constructor(
    private readonly connection: BrokerConnection,
    private readonly consumers: WarrenConsumers,
  ) {}

  check(): WarrenHealth {
    const connection = stateOf(this.connection);
    const publishConnection = stateOf(this.connection.publishing);
    const consumers = this.consumers.list();
    const problems: string[] = [];
    if (!connection.connected) problems.push('not connected to RabbitMQ (reconnecting)');
    if (!publishConnection.connected) problems.push(`publishing connection '${publishConnection.name}' not connected to RabbitMQ (reconnecting)`);
    for (const blocked of new Set([connection.blocked, publishConnection.blocked])) {
      if (blocked !== undefined) problems.push(`RabbitMQ blocks publishing: ${blocked}`);
    }
    for (const consumer of consumers) {
      if (!consumer.paused && !consumer.attached) problems.push(`consumer of '${consumer.queue}' is not attached`);
    }
    return { up: problems.length === 0, problems, connection, publishConnection, consumers };
  }
}

function stateOf(connection: BrokerConnection): ConnectionHealth {
  return { name: connection.name, connected: connection.isConnected, node: connection.node, blocked: connection.blocked, brokerVersion: connection.capabilities.version };
}
