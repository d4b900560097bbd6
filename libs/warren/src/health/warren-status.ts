import { Injectable } from '@nestjs/common';
import { BrokerConnection } from '../connection/broker-connection';
import { ConsumerState, WarrenConsumers } from '../consumer/warren-consumers';

/** Warren's health at one moment, as `WarrenStatus.check()` and the health indicator report it. */
export interface WarrenHealth {
  /** Connected, not blocked, and every consumer that is not paused attached. */
  up: boolean;
  /** Why it is not up (empty when it is). */
  problems: string[];
  /** `node`: the URI (without credentials) of the node the connection is on, while connected. */
  connection: { name: string; connected: boolean; node?: string; blocked?: string };
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
    const connected = this.connection.isConnected;
    const blocked = this.connection.blocked;
    const consumers = this.consumers.list();
    const problems: string[] = [];
    if (!connected) problems.push('not connected to RabbitMQ (reconnecting)');
    if (blocked !== undefined) problems.push(`RabbitMQ blocks publishing: ${blocked}`);
    for (const consumer of consumers) {
      if (!consumer.paused && !consumer.attached) problems.push(`consumer of '${consumer.queue}' is not attached`);
    }
    return { up: problems.length === 0, problems, connection: { name: this.connection.name, connected, node: this.connection.node, blocked }, consumers };
  }
}
