import { connect } from 'amqp-connection-manager';
import type { ConfirmChannel } from 'amqplib';
import { safeUri } from '../logging/redact';
import { declareTopology } from '../topology/topology-setup';
import { topologyDeclarations } from '../topology/topology-declaration';
import type { BrokerConnector } from './broker-link';
import { nodeOf } from './connection-target';
import { ManagedChannel } from './managed-channel';
import { StartupWatch } from './startup-errors';

/** How soon a topology channel the broker closed (a refused declaration, a purge of a missing queue) is back. */
const TOPOLOGY_REOPEN_MS = 50;

/**
 * Warren's default connector: amqp-connection-manager's reconnecting connection (failover URIs,
 * Warren's heartbeat, reconnect delay, TLS, TCP_NODELAY and connection name), and a topology
 * channel (confirm mode) that declares the module's exchanges, queues and bindings on every
 * (re)connect. That channel listens for the broker's channel errors and comes back by itself: an
 * operation the broker refuses on it (a 404, a 406) rejects that call and never the process.
 * Start-up waits for both within `connection.connectTimeoutMs`.
 */
export const amqpConnector: BrokerConnector = async (options, logger) => {
  const { connection } = options;
  const passThrough = options.golevelup.connectionManagerOptions ?? {};
  const manager = connect(options.uris, {
    ...passThrough,
    heartbeatIntervalInSeconds: connection.heartbeatSeconds,
    reconnectTimeInSeconds: connection.reconnectDelayMs / 1000,
    connectionOptions: {
      ...passThrough.connectionOptions,
      ...connection.tls,
      noDelay: connection.noDelay,
      clientProperties: { connection_name: connection.name },
    },
  });
  let node: string | undefined;
  const timeoutMs = connection.connectTimeoutMs;
  const watch = new StartupWatch(manager, options.uris.map(safeUri).join(', '), timeoutMs);
  manager.on('connect', ({ url }: { url: unknown }) => (node = nodeOf(url)));

  const declarations = topologyDeclarations(options);
  let ready!: () => void;
  const opened = new Promise<void>((resolve) => (ready = resolve));
  const topology = new ManagedChannel(
    manager,
    { name: 'topology', confirm: true, reopenDelayMs: Math.min(TOPOLOGY_REOPEN_MS, connection.reconnectDelayMs), setup: (channel) => declareTopology(channel, declarations) },
    { opened: () => ready(), setupFailed: (error) => watch.setupFailed(error) },
    logger.child('Warren:topology'),
  );
  const close = async () => {
    await topology.close();
    await manager.close();
  };

  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`no connection within ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    // amqp-connection-manager's own connect() gives up at once on refused credentials.
    await Promise.race([manager.connect(), deadline, watch.final]);
    await Promise.race([opened, deadline, watch.final]);
  } catch (err) {
    await close().catch(() => undefined);
    throw watch.error(err as Error);
  } finally {
    clearTimeout(timer);
    watch.stop();
  }
  return {
    manager,
    get topologyChannel() {
      return topology.channel as ConfirmChannel | undefined;
    },
    node,
    close,
  };
};
