import type { BrokerConnection } from '../connection/broker-connection';

/**
 * Which connection each consumer's channel goes on: the module's own until it holds
 * `consumerChannelLimit` consumers, then further connections opened as needed (closed with the rest).
 * A channel per queue keeps acks, prefetch and channel errors of one queue away from the others.
 */
export class ConsumerConnections {
  private readonly extra: BrokerConnection[] = [];
  private assigned = 0;

  constructor(private readonly main: BrokerConnection) {}

  /** The connection for the next consumer (opening one when the current ones are full). */
  async next(): Promise<BrokerConnection> {
    const index = Math.floor(this.assigned++ / this.main.consumerChannelLimit);
    if (index === 0) return this.main;
    while (this.extra.length < index) this.extra.push(await this.main.sibling(this.extra.length + 2));
    return this.extra[index - 1];
  }

  /** Connections opened beyond the module's own. */
  get count(): number {
    return this.extra.length;
  }

  async close(): Promise<void> {
    await Promise.all(this.extra.splice(0).map((connection) => connection.close()));
  }
}
