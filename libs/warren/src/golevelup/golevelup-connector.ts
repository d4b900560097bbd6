import type * as Golevelup from '@golevelup/nestjs-rabbitmq';
import type { ConfirmChannel } from 'amqplib';
import type { BrokerConnector } from '../connection/broker-link';
import { nodeOf, socketError } from '../connection/connection-target';
import { WarrenConfigurationError } from '../errors/configuration.error';
import { BrokerConnectionError } from '../errors/connection.error';
import { safeUri } from '../logging/redact';
import { MESSAGES } from '../warren.messages';
import { golevelupConfig } from './golevelup-config';

/** `@golevelup/nestjs-rabbitmq`, loaded when a golevelup connector first connects (an optional peer). */
function loadGolevelup(): typeof Golevelup {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require('@golevelup/nestjs-rabbitmq') as typeof Golevelup;
  } catch (error) {
    throw new WarrenConfigurationError(MESSAGES.golevelupNotInstalled((error as Error).message));
  }
}

/**
 * Connects through golevelup's own AmqpConnection (with the connect timeout, failover URIs and the
 * exchanges and queues it is told to declare), for an application that wants golevelup's
 * connection code under Warren: `WarrenModule.forRoot({ connector: golevelupConnector })`. The
 * whole `golevelup` pass-through option reaches golevelup. Only this connector loads golevelup
 * (when it connects); Warren's default connector does not need it installed.
 */
export const golevelupConnector: BrokerConnector = async (options, logger) => {
  const { AmqpConnection } = loadGolevelup();
  const printable = options.uris.map(safeUri).join(', ');
  const amqp = new AmqpConnection(golevelupConfig(options, logger));
  const init = amqp.init();
  // init() has created the managed connection synchronously; keep the last reason it gave.
  let lastError: Error | undefined;
  let lastUrl: string | undefined;
  amqp.managedConnection.on('connectFailed', ({ err, url }: { err: Error; url: unknown }) => {
    lastError = err;
    lastUrl = nodeOf(url);
  });
  amqp.managedChannel.on('error', (err: Error) => (lastError = err));
  let node: string | undefined;
  amqp.managedConnection.on('connect', ({ url }: { url: unknown }) => (node = nodeOf(url)));
  try {
    await init;
  } catch (err) {
    await amqp.managedConnection.close().catch(() => undefined);
    const reason = lastError?.message ?? (err as Error).message;
    const cause = { err: lastError && socketError(lastError), url: lastUrl };
    throw new BrokerConnectionError(MESSAGES.connectFailed(printable, options.connection.connectTimeoutMs, reason), cause);
  }
  return {
    manager: amqp.managedConnection,
    // Re-created by golevelup after a reconnect: read it when needed.
    get topologyChannel() {
      let channel: ConfirmChannel;
      try {
        channel = amqp.channel as ConfirmChannel;
      } catch {
        return undefined; // golevelup's ChannelNotAvailableError
      }
      // Without a listener, the broker closing this channel (a refused call) would close the whole connection.
      if (channel.listenerCount('error') === 0) channel.on('error', () => undefined);
      return channel;
    },
    node,
    close: () => amqp.managedConnection.close(),
  };
};
