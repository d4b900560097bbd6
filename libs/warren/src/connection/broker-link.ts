import type { AmqpConnectionManager } from 'amqp-connection-manager';
import type { ConfirmChannel } from 'amqplib';
import type { WarrenLogger } from '../logging/warren-logger';
import type { ResolvedWarrenOptions } from '../warren-options';

/**
 * What Warren needs of an established connection: amqp-connection-manager's reconnecting
 * connection (its `connection`, and its 'connect' / 'disconnect' / 'blocked' events), and a confirm
 * channel for declaring topology. Warren's amqp-connection-manager connector provides it in
 * production (or golevelup's AmqpConnection, with `golevelupConnector`); the in-memory broker of
 * `nestjs-warren/testing` provides one in tests.
 */
export interface BrokerLink {
  readonly manager: AmqpConnectionManager;
  /** The topology channel; undefined while it is (re)opening. */
  readonly topologyChannel: ConfirmChannel | undefined;
  /** The node (URI without credentials) the first connection is on. */
  readonly node?: string;
  close(): Promise<void>;
}

/** Establishes a link (throws `BrokerConnectionError` when it cannot). */
export type BrokerConnector = (options: ResolvedWarrenOptions, logger: WarrenLogger) => Promise<BrokerLink>;

/** Injection token of a connector that wins over the options' (the testing module sets it). */
export const WARREN_CONNECTOR = Symbol('warren:connector');
