import { Injectable } from '@nestjs/common';
import { BrokerConnection } from '../connection/broker-connection';
import { ConsumerState, WarrenConsumers } from '../consumer/warren-consumers';
import type { GaveUpState } from '../connection/connection-group';
import type { WarrenEventListener, WarrenEventMap, WarrenEventName } from '../connection/warren-events';
import { MESSAGES } from '../warren.messages';

export type { GaveUpState };

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
  /** Both connections up, publishing not blocked, and every consumer that is not paused (by a user or a circuit breaker) attached. */
  up: boolean;
  /** Why it is not up (empty when it is). */
  problems: string[];
  /** The connection consumers use (and the topology is declared on). */
  connection: ConnectionHealth;
  /** The connection Warren publishes on (`<name>.publish`): the one a broker alarm blocks. */
  publishConnection: ConnectionHealth;
  consumers: ConsumerState[];
  /**
   * Set once Warren gave up reconnecting (`connection.reconnect.maxAttempts`): which connection, after
   * how many attempts, the last reason. It stays down for good: publishes and requests reject.
   */
  gaveUp?: GaveUpState;
}

/**
 * Whether Warren can do its work — for readiness probes, dashboards or your own checks (no
 * @nestjs/terminus needed; `WarrenHealthIndicator` wraps this for terminus). A consumer counts as
 * attached only while the broker has it subscribed (its channel is live and its consume-ok came);
 * while its channel re-opens it is a problem, and the status is down. A paused consumer — by
 * `WarrenConsumers.pause()` or by a handler's open circuit breaker — is reported as paused, with
 * why in `pausedBy` (and each breaker's state in `circuitBreakers`), not as a failure.
  * Once Warren gave up reconnecting it is down for good (`gaveUp`). `on(event, listener)` subscribes
  * to connection and consumer events.
 */
@Injectable()
export class WarrenStatus {
  constructor(
    private readonly connection: BrokerConnection,
    private readonly consumers: WarrenConsumers,
  ) {}

  /**
   * Whether Warren can do its work now: connections open and not blocked, every unpaused consumer attached; with the problems.
   */
  check(): WarrenHealth {
    const connection = stateOf(this.connection);
    const publishConnection = stateOf(this.connection.publishing);
    const consumers = this.consumers.list();
    const problems: string[] = [];
    const gaveUp = this.connection.group.gaveUp;
    if (gaveUp) problems.push(MESSAGES.gaveUpProblem(gaveUp.connection, gaveUp.attempts, gaveUp.reason));
    if (!connection.connected && !gaveUp) problems.push('not connected to RabbitMQ (reconnecting)');
    if (!publishConnection.connected && !gaveUp) problems.push(`publishing connection '${publishConnection.name}' not connected to RabbitMQ (reconnecting)`);
    for (const blocked of new Set([connection.blocked, publishConnection.blocked])) {
      if (blocked !== undefined) problems.push(`RabbitMQ blocks publishing: ${blocked}`);
    }
    for (const consumer of consumers) {
      if (!consumer.paused && !consumer.attached) problems.push(`consumer of '${consumer.queue}' is not attached`);
    }
    return { up: problems.length === 0, problems, connection, publishConnection, consumers, ...(gaveUp ? { gaveUp: { ...gaveUp } } : {}) };
  }

  /**
   * Subscribes to one of Warren's events — `connected`, `disconnected`, `reconnect-failed`, `blocked`,
   * `unblocked`, `gave-up`, `consumer-paused`, `consumer-resumed` (see `WarrenEventMap`) — and
   * returns a function that unsubscribes. Listeners run synchronously where Warren notices the
   * change; one that throws is logged and ignored. The first connect happens before application
   * code can subscribe: read `check()` for the state now.
   *
   *   status.on('gave-up', ({ reason }) => { alert(reason); process.exitCode = 1; void app.close(); });
   */
  on<E extends WarrenEventName>(event: E, listener: WarrenEventListener<E>): () => void {
    return this.connection.events.on(event, listener);
  }

  /** @internal Warren's own parts (consumers, circuit breakers) report through this; applications only listen. */
  emit<E extends WarrenEventName>(event: E, payload: WarrenEventMap[E]): void {
    this.connection.events.emit(event, payload);
  }
}

function stateOf(connection: BrokerConnection): ConnectionHealth {
  return { name: connection.name, connected: connection.isConnected, node: connection.node, blocked: connection.blocked, brokerVersion: connection.capabilities.version };
}
