/**
 * What the broker Warren connected to can do, read once at connect from the server properties it
 * sends in `connection.start` (amqplib: `connection.serverProperties`): its product and version.
 * Everything Warren does differently by RabbitMQ version is decided here, from measurements on
 * 3.10.8, 4.0.5 and 4.3.6:
 *
 * - 4.0: quorum queues have a default delivery limit of 20 and take `x-delivery-limit: -1` for no
 *   limit (3.x takes -1 too, but dead-letters at the first return); they have two priorities
 *   (messages above 4 go first, two for one), without `x-max-priority` (which they still refuse).
 * - 4.3: `basic.nack` with requeue no longer counts toward the delivery limit (`basic.reject`, a
 *   lost channel or connection do); `x-acquired-count` counts every acquisition; quorum queues have
 *   32 strict priorities (0–31) and native delayed retry (`x-delayed-retry-*`); classic queues refuse
 *   `x-queue-version: 1`.
 * - 4.0 and 4.3 alike: transient non-exclusive queues are deprecated (permitted unless the broker sets
 *   `deprecated_features.permit.transient_nonexcl_queues = false`); global QoS is deprecated (denied by
 *   default on 4.3, where the broker logs it and carries on) — Warren never asks for it.
 *
 * An unknown broker (no version, or not RabbitMQ) gets what works on every version: no check refuses
 * anything for it, and Warren declares nothing only some versions accept.
 */
export class BrokerCapabilities {
  readonly major?: number;
  readonly minor?: number;

  constructor(
    /** `product` of the server properties, e.g. 'RabbitMQ'. */
    readonly product: string | undefined,
    /** `version` of the server properties, e.g. '4.3.6'. */
    readonly version: string | undefined,
  ) {
    const match = /^(\d+)\.(\d+)/.exec(version ?? '');
    if (match && (product === undefined || /rabbitmq/i.test(product))) {
      this.major = Number(match[1]);
      this.minor = Number(match[2]);
    }
  }

  /** Nothing known: the in-memory broker before it says, another AMQP 0-9-1 broker, a closed connection. */
  static readonly UNKNOWN = new BrokerCapabilities(undefined, undefined);

  /** Reads an amqplib connection (`ChannelModel`, whose `connection.serverProperties` holds them). */
  static of(model: unknown): BrokerCapabilities {
    const properties = (model as { connection?: { serverProperties?: Record<string, unknown> } } | undefined)?.connection?.serverProperties;
    const text = (value: unknown) => (typeof value === 'string' ? value : Buffer.isBuffer(value) ? value.toString() : undefined);
    return properties ? new BrokerCapabilities(text(properties.product), text(properties.version)) : BrokerCapabilities.UNKNOWN;
  }

  /** Whether the version is known. */
  get known(): boolean {
    return this.major !== undefined;
  }

  /** The version is known and at least `major.minor`. */
  atLeast(major: number, minor: number): boolean {
    if (this.major === undefined || this.minor === undefined) return false;
    return this.major > major || (this.major === major && this.minor >= minor);
  }

  /** For messages: 'RabbitMQ 4.3.6', or what is known. */
  get label(): string {
    if (this.version === undefined) return 'a broker of unknown version';
    return `${this.product ?? 'RabbitMQ'} ${this.version}`;
  }

  /** `x-delivery-limit: -1` means "no limit" (4.0+); omitting the limit means 20 there. */
  get unlimitedDeliveryLimit(): boolean {
    return this.atLeast(4, 0);
  }

  /** Priorities a quorum queue gives messages without `x-max-priority`: none before 4.0, 2 on 4.0–4.2, 32 from 4.3. */
  get quorumPriorities(): number {
    return this.atLeast(4, 3) ? 32 : this.atLeast(4, 0) ? 2 : 0;
  }

  /** `basic.nack` with requeue raises `x-delivery-count` (before 4.3; on an unknown broker, assumed). */
  get nackRequeueCounts(): boolean {
    return !this.atLeast(4, 3);
  }

  /** Deliveries carry `x-acquired-count` (4.3+). */
  get acquiredCount(): boolean {
    return this.atLeast(4, 3);
  }

  /**
   * Quorum queues delay redeliveries themselves (`x-delayed-retry-type` failed|returned|all,
   * `x-delayed-retry-min`/`-max` ms; 4.3+). Measured on 4.3.6: a `failed` return (basic.reject) waits
   * min × its delivery count, capped at max; other messages are not held up. Older versions ignore the arguments.
   */
  get delayedRetry(): boolean {
    return this.atLeast(4, 3);
  }

  /** Classic queues refuse `x-queue-version: 1` (4.3+). */
  get refusesQueueVersion1(): boolean {
    return this.atLeast(4, 3);
  }

  /** Transient (non-durable) non-exclusive queues are a deprecated feature (4.0+; still permitted by default on 4.3). */
  get deprecatesTransientQueues(): boolean {
    return this.atLeast(4, 0);
  }
}
