import type { RabbitMQConfig } from '@golevelup/nestjs-rabbitmq';
import type { WarrenLogger } from '../logging/warren-logger';
import type { ResolvedWarrenOptions } from '../warren-options';
import { topologyDeclarations } from '../topology/topology-declaration';

/**
 * The configuration golevelup's AmqpConnection gets from Warren's options: the user's
 * pass-through first, then everything Warren decides (TCP_NODELAY, heartbeat, reconnect delay,
 * no handler registration or reply consumer of golevelup's own) on top.
 */
export function golevelupConfig(options: ResolvedWarrenOptions, logger: WarrenLogger): RabbitMQConfig {
  const passThrough = options.golevelup as Partial<RabbitMQConfig>;
  const { connection } = options;
  return {
    ...passThrough,
    name: connection.name,
    uri: options.uris,
    prefetchCount: options.prefetch,
    ...topologyDeclarations(options),
    // Warren runs its own consumers and reply consumer; golevelup only connects and declares.
    registerHandlers: false,
    enableDirectReplyTo: false,
    connectionInitOptions: {
      wait: true,
      reject: true,
      timeout: connection.connectTimeoutMs,
      skipConnectionFailedLogging: true,
      skipDisconnectFailedLogging: true,
    },
    connectionManagerOptions: {
      ...passThrough.connectionManagerOptions,
      heartbeatIntervalInSeconds: connection.heartbeatSeconds,
      reconnectTimeInSeconds: connection.reconnectDelayMs / 1000,
      connectionOptions: {
        ...passThrough.connectionManagerOptions?.connectionOptions,
        ...connection.tls,
        noDelay: connection.noDelay,
        clientProperties: { connection_name: connection.name },
      },
    },
    logger: quietLogger(logger.child('Warren:golevelup')),
  };
}

/** golevelup narrates every channel it opens at 'log' level; keep that at debug. */
function quietLogger(logger: WarrenLogger) {
  return {
    log: (message: string) => logger.debug(String(message)),
    warn: (message: string) => logger.warn(String(message)),
    error: (message: string, trace?: string) => logger.error(String(message) + (trace ? `\n${trace}` : '')),
    debug: (message: string) => logger.debug(String(message)),
    verbose: (message: string) => logger.verbose(String(message)),
  };
}
