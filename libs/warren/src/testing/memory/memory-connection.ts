import { EventEmitter } from 'events';
import type { AmqpConnectionManager } from 'amqp-connection-manager';
import type { ConfirmChannel } from 'amqplib';
import type { BrokerConnector, BrokerLink } from '../../connection/broker-link';
import { topologyDeclarations } from '../../topology/topology-declaration';
import type { ResolvedWarrenOptions } from '../../warren-options';
import type { MemoryBroker } from './memory-broker';
import { MemoryChannel } from './memory-channel';

/** An amqplib connection (ChannelModel) to the in-memory broker. */
export class MemoryConnection extends EventEmitter {
  private readonly channels = new Set<MemoryChannel>();
  private closed = false;
  /** As amqplib's `ChannelModel.connection`: what the broker announced (its product and emulated version). */
  readonly connection: { serverProperties: Record<string, string> };

  constructor(private readonly broker: MemoryBroker) {
    super();
    this.connection = { serverProperties: broker.semantics.serverProperties };
  }

  createChannel(): Promise<MemoryChannel> {
    return this.open(false);
  }

  createConfirmChannel(): Promise<MemoryChannel> {
    return this.open(true);
  }

  async close(): Promise<void> {
    this.drop(undefined);
  }

  /** Closes every channel and the connection; its exclusive queues go. `error` set: as if the broker closed it. */
  drop(error: Error | undefined): void {
    if (this.closed) return;
    this.closed = true;
    for (const channel of [...this.channels]) channel.connectionLost(error ?? new Error('Connection closed'));
    this.broker.dropExclusive(this);
    this.emit('close', error);
  }

  private async open(confirm: boolean): Promise<MemoryChannel> {
    if (this.closed) throw new Error('Connection closed');
    const channel = new MemoryChannel(this.broker, this, confirm, (closed) => this.channels.delete(closed));
    this.channels.add(channel);
    return channel;
  }
}

/**
 * amqp-connection-manager's side of the in-memory broker: a connection that comes back
 * `reconnectDelayMs` after it was dropped (`MemoryBroker`-level faults use it), with the same
 * 'connect' / 'disconnect' events Warren listens to.
 */
class MemoryConnectionManager extends EventEmitter {
  connection?: MemoryConnection;
  private closed = false;
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly broker: MemoryBroker,
    private readonly reconnectDelayMs: number,
    readonly name: string,
  ) {
    super();
  }

  isConnected(): boolean {
    return this.connection !== undefined;
  }

  connect(): MemoryConnection {
    const connection = new MemoryConnection(this.broker);
    connection.once('close', (error?: Error) => {
      if (this.connection !== connection) return;
      this.connection = undefined;
      this.emit('disconnect', { err: error });
      if (!this.closed) this.timer = setTimeout(() => this.connect(), this.reconnectDelayMs);
    });
    this.connection = connection;
    this.emit('connect', { connection, url: 'memory://' });
    return connection;
  }

  /** As if the broker force-closed this connection: it reconnects after the delay. */
  forceClose(reason = 'CONNECTION_FORCED - closed by the in-memory broker'): void {
    this.connection?.drop(Object.assign(new Error(`Connection closed: 320 (CONNECTION-FORCED) with message "${reason}"`), { code: 320 }));
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.timer);
    const connection = this.connection;
    this.connection = undefined;
    connection?.drop(undefined);
  }
}

/**
 * The connector `WarrenTestingModule` gives Warren: connects to `broker` and declares what Warren's own connector
 * would declare at every connect (the module's exchanges, the topology's queues and bindings).
 */
export function memoryConnector(broker: MemoryBroker): BrokerConnector {
  return async (options: ResolvedWarrenOptions): Promise<BrokerLink> => {
    const manager = new MemoryConnectionManager(broker, options.connection.reconnectDelayMs, options.connection.name);
    const detach = broker.attach(manager);
    let topology: MemoryChannel | undefined;
    const declare = async (connection: MemoryConnection) => {
      topology = await connection.createConfirmChannel();
      topology.on('error', () => undefined);
      const { exchanges = [], queues = [], exchangeBindings = [] } = topologyDeclarations(options);
      for (const exchange of exchanges) await topology.assertExchange(exchange.name, exchange.type ?? 'topic', exchange.options);
      for (const queue of queues) {
        const name = (await topology.assertQueue(queue.name ?? '', queue.options)).queue;
        const keys = queue.routingKey === undefined ? [] : [queue.routingKey].flat();
        if (queue.exchange) for (const key of keys) await topology.bindQueue(name, queue.exchange, key, queue.bindQueueArguments);
      }
      for (const binding of exchangeBindings) await topology.bindExchange(binding.destination, binding.source, binding.pattern, binding.args);
    };
    await declare(manager.connect());
    // After a dropped connection, as Warren's own connector does on every reconnect.
    manager.on('connect', ({ connection }: { connection: MemoryConnection }) => void declare(connection).catch(() => undefined));
    return {
      manager: manager as unknown as AmqpConnectionManager,
      get topologyChannel() {
        return topology as unknown as ConfirmChannel;
      },
      node: 'memory://',
      close: async () => {
        detach();
        await manager.close();
      },
    };
  };
}
