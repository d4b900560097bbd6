import type { AmqpConnectionManager } from 'amqp-connection-manager';
import type { ChannelModel, ConfirmChannel } from 'amqplib';
import { ChannelNotAvailableError } from '../errors/connection.error';
import { WarrenLogger } from '../logging/warren-logger';
import { safeUri } from '../logging/redact';
import type { ResolvedWarrenOptions } from '../warren-options';
import { MESSAGES } from '../warren.messages';
import { ChannelListener, ManagedChannel, ManagedChannelOptions } from './managed-channel';
import { uriUser } from './connection-user';
import { transportWarnings } from './transport-security';
import { validateUris } from './uri';
import { coalesceWrites } from './write-coalescing';
import { guardAmqplibHeaderDecoding, isGuarded } from './amqplib-field-decoder';
import { WarrenConfigurationError } from '../errors/configuration.error';
import type { BrokerConnector, BrokerLink } from './broker-link';
import { amqpConnector } from './amqp-connector';
import { nodeOf } from './connection-target';
import { redactText } from '../logging/redact';
import { ConnectionGroup } from './connection-group';
import type { WarrenEvents } from './warren-events';
import type { ConnectionGaveUpError } from '../errors/connection-gave-up.error';
import { followReconnectPolicy } from './reconnect-policy';
import { BrokerCapabilities } from './broker-capabilities';

/**
 * Warren's connection to the broker, established by a connector (amqp-connection-manager, directly,
 * unless the options name another), on which Warren opens its own channels for consumers; and beside
 * it the publishing connection (`<name>.publish`), for the producer, the RPC client and consumers'
 * retries, dead letters and replies. RabbitMQ stops reading from a connection that publishes during
 * a memory or disk alarm, acks included: kept apart, an alarm blocks publishing but never consumption.
 */
export class BrokerConnection {
  private publisher?: BrokerConnection;

  private constructor(
    private readonly link: BrokerLink,
    private readonly options: ResolvedWarrenOptions,
    private readonly logger: WarrenLogger,
    private readonly connector: BrokerConnector,
    /** Shared by this Warren's connections: events, and giving up (see ConnectionGroup). */
    readonly group: ConnectionGroup,
  ) {
    group.add(link.manager);
  }

  /** Connects the connection and its publishing connection (fails, leaving nothing open, if either fails). */
  static async connect(options: ResolvedWarrenOptions, logger: WarrenLogger, connector: BrokerConnector = options.connector ?? amqpConnector): Promise<BrokerConnection> {
    validateUris(options.uris);
    for (const warning of transportWarnings(options)) logger.warn(warning);
    const group = new ConnectionGroup(logger);
    const connection = await BrokerConnection.open(options, logger, connector, group);
    try {
      connection.publisher = await BrokerConnection.open(publishingOptions(options), logger.child('Warren:Publishing'), connector, group, true);
    } catch (error) {
      await connection.close();
      throw error;
    }
    return connection;
  }

  /**
   * Connects one connection, without the start-up warnings (said once, by `connect`). `quiet`: no
   * 'connecting' / 'connected' lines (the publishing connection's follow the main one's).
   */
  private static async open(options: ResolvedWarrenOptions, logger: WarrenLogger, connector: BrokerConnector, group: ConnectionGroup, quiet = false): Promise<BrokerConnection> {
    const guarded = guardAmqplibHeaderDecoding();
    const printable = options.uris.map(safeUri).join(', ');
    if (!quiet) logger.log(MESSAGES.connecting(printable));
    const link = await connector(options, logger);
    if (!readsGuarded(link)) {
      await link.close().catch(() => undefined);
      throw new WarrenConfigurationError(MESSAGES.amqplibNotGuarded(guarded.map((copy) => copy.root).join(', ')));
    }
    const connection = new BrokerConnection(link, options, logger, connector, group);
    connection.node = link.node;
    connection.capabilities = BrokerCapabilities.of(link.manager.connection);
    connection.watch();
    if (!quiet) logger.log(MESSAGES.connected(link.node ?? printable));
    return connection;
  }

  /** amqp-connection-manager's reconnecting connection. */
  get manager(): AmqpConnectionManager {
    return this.link.manager;
  }

  /**
   * The connection's own amqplib channel (confirm mode), for declaring and inspecting topology
   * (`assertQueue`, `checkExchange`, …). Warren's consumers, producer and RPC client use channels
   * of their own. Re-created after a reconnect, and after the broker closed it over a refused
   * operation: read it when needed, do not keep it. Throws `ChannelNotAvailableError` meanwhile.
   */
  get topologyChannel(): ConfirmChannel {
    const channel = this.link.topologyChannel;
    if (!channel) throw new ChannelNotAvailableError(MESSAGES.topologyChannelUnavailable(this.name));
    return channel;
  }

  /** The current amqplib connection (replaced after a reconnect). */
  get currentConnection(): ChannelModel | undefined {
    return this.link.manager.connection as ChannelModel | undefined;
  }

  /** The connection's name (its label in the management UI). */
  get name(): string {
    return this.options.connection.name;
  }

  /**
   * The node (its URI without credentials) this connection is on; with several URIs, a lost
   * connection moves on to the next one. Undefined while disconnected.
   */
  node?: string;

  /**
   * The broker user this connection authenticates as, read from the URI of the node it is on as
   * amqplib reads it. Undefined while disconnected, and when the `golevelup` pass-through gives
   * credentials of its own (EXTERNAL): then the URI does not say.
   */
  get user(): string | undefined {
    const connectionOptions = this.options.golevelup.connectionManagerOptions?.connectionOptions as { credentials?: unknown } | undefined;
    if (connectionOptions?.credentials !== undefined || this.node === undefined) return undefined;
    return uriUser(this.node);
  }

  /** The broker's reason while it blocks this connection's publishers (a memory or disk alarm). */
  blocked?: string;

  /** This Warren's events (`WarrenStatus.on` subscribes here). */
  get events(): WarrenEvents {
    return this.group.events;
  }

  /** Set once Warren gave up reconnecting (`connection.reconnect.maxAttempts`): the error publishes and requests reject with. */
  get gaveUpError(): ConnectionGaveUpError | undefined {
    return this.group.gaveUpError;
  }

  /** What the broker this connection reached at start-up can do (its version), from its server properties. */
  capabilities: BrokerCapabilities = BrokerCapabilities.UNKNOWN;

  get isConnected(): boolean {
    return this.link.manager.isConnected();
  }

  /**
   * The connection Warren publishes on, named `<name>.publish`: the producer's, the RPC client's and
   * consumers' forwards and replies. It declares nothing; this one declares the topology.
   */
  get publishing(): BrokerConnection {
    return this.publisher ?? this;
  }

  /** Another consumer connection with the same options, named `<name>.<n>` (for consumers past `maxConsumerChannels`). */
  sibling(n: number): Promise<BrokerConnection> {
    const connection = { ...this.options.connection, name: `${this.options.connection.name}.${n}` };
    return BrokerConnection.open({ ...this.options, connection }, this.logger, this.connector, this.group);
  }

  /**
   * Consumer channels this connection takes: `connection.maxConsumerChannels`, or fewer when the
   * broker allows fewer channels (keeping a few for topology; the producer and the RPC client
   * are on the publishing connection).
   */
  get consumerChannelLimit(): number {
    const negotiated = (this.currentConnection as unknown as { connection?: { channelMax?: number } } | undefined)?.connection?.channelMax;
    const brokerLimit = negotiated && negotiated > 0 ? negotiated - 16 : Infinity;
    return Math.max(1, Math.min(this.options.connection.maxConsumerChannels, brokerLimit));
  }

  /** A channel of Warren's own on this connection, re-opened after reconnects and channel errors. */
  openChannel(options: Omit<ManagedChannelOptions, 'reopenDelayMs'> & { reopenDelayMs?: number }, listener: ChannelListener = {}): ManagedChannel {
    return new ManagedChannel(
      this.manager,
      { ...options, reopenDelayMs: Math.min(options.reopenDelayMs ?? Infinity, this.options.connection.reconnectDelayMs) },
      listener,
      this.logger.child(`Warren:${options.name}`),
    );
  }

  /** Closes this connection and its publishing connection. */
  async close(): Promise<void> {
    this.unfollow?.();
    this.manager.removeAllListeners('disconnect');
    await Promise.all([this.link.close().catch(() => undefined), this.publisher?.close()]);
  }

  private unfollow?: () => void;

  private watch(): void {
    const manager = this.link.manager;
    const { events } = this.group;
    const name = this.name;
    const { reconnect } = this.options.connection;
    this.unfollow = followReconnectPolicy(manager, reconnect, {
      failed: (attempt, reason, nextDelayMs) => {
        const text = redactText(reason);
        // Bounded or backing off: say so; the default (forever, fixed) stays as quiet as before.
        if (reconnect.backoff) this.logger.warn(MESSAGES.reconnectFailed(name, attempt, text, nextDelayMs));
        events.emit('reconnect-failed', { connection: name, attempt, reason: text, nextDelayMs });
      },
      gaveUp: (attempts, reason) => this.group.giveUp(name, attempts, redactText(reason)),
    });
    if (this.options.connection.coalesceWrites) {
      const coalesce = (model: ChannelModel) => {
        if (!coalesceWrites(model)) this.logger.debug(MESSAGES.writesNotCoalesced);
      };
      if (manager.connection) coalesce(manager.connection);
      manager.on('connect', ({ connection }: { connection: ChannelModel }) => coalesce(connection));
    }
    manager.on('disconnect', ({ err }: { err?: Error }) => {
      const reason = redactText(err?.message ?? 'closed');
      this.logger.warn(MESSAGES.disconnected(this.node ?? 'RabbitMQ', reason));
      this.node = undefined;
      events.emit('disconnected', { connection: name, reason });
    });
    // Reconnects after the first: say which node the connection is on now.
    manager.on('connect', ({ url }: { url: unknown }) => {
      this.node = nodeOf(url);
      this.logger.log(MESSAGES.reconnected(this.node));
      events.emit('connected', { connection: name, node: this.node });
    });
    manager.on('blocked', ({ reason }: { reason: string }) => {
      this.blocked = reason;
      this.logger.warn(MESSAGES.blocked(reason));
      events.emit('blocked', { connection: name, reason });
    });
    manager.on('unblocked', () => {
      this.blocked = undefined;
      events.emit('unblocked', { connection: name });
    });
    // A new connection starts unblocked.
    manager.on('connect', () => (this.blocked = undefined));
  }
}

/** The connection must read frames through the guarded amqplib: a header table amqplib cannot decode must not close it. */
function readsGuarded(link: BrokerLink): boolean {
  const reader = (link.manager.connection as { connection?: { recvFrame?: unknown } } | undefined)?.connection;
  return typeof reader?.recvFrame !== 'function' || isGuarded(reader); // not amqplib (the in-memory broker), or guarded
}

/** The publishing connection's options: named `<name>.publish`, declaring nothing (as in topology 'check' mode). */
function publishingOptions(options: ResolvedWarrenOptions): ResolvedWarrenOptions {
  return {
    ...options,
    connection: { ...options.connection, name: `${options.connection.name}.publish` },
    topology: { ...options.topology, mode: 'check' },
  };
}
