import type { BrokerConnection } from '../connection/broker-connection';

/**
 * Which connection each consumer's channel goes on: the module's own until it holds
 * `consumerChannelLimit` consumers, then further connections opened as needed (closed with the rest).
 * A channel per queue keeps acks, prefetch and channel errors of one queue away from the others.
 */
export class ConsumerConnections {
  private readonly extra: BrokerConnection[] = [];
  private assigned = 0;
  private limit?: number;
  /** Openings run one after another, so two callers never open the same `<name>.<n>`. */
  private opening: Promise<unknown> = Promise.resolve();

  constructor(private readonly main: BrokerConnection) {}

  /** The connection for the next consumer (opening one when the current ones are full). */
  next(): Promise<BrokerConnection> {
    // Read once, while the main connection is up (it is re-read as maxConsumerChannels while it is down).
    this.limit ??= this.main.consumerChannelLimit;
    const index = Math.floor(this.assigned++ / this.limit);
    if (index === 0) return Promise.resolve(this.main);
    const result = this.opening.then(async () => {
      while (this.extra.length < index) this.extra.push(await this.main.sibling(this.extra.length + 2));
      return this.extra[index - 1];
    });
    this.opening = result.catch(() => undefined);
    return result;
  }

  /** Connections opened beyond the module's own. */
  get count(): number {
    return this.extra.length;
  }

  async close(): Promise<void> {
    await Promise.all(this.extra.splice(0).map((connection) => connection.close()));
  }
}
