import type { MessageProperties } from 'amqplib';
import { BrokerCapabilities } from '../../connection/broker-capabilities';
import { ChannelError } from './channel-error';
import type { MemoryQueue, StoredMessage } from './memory-queue';

/** The newest RabbitMQ the in-memory broker emulates, and what it emulates unless told otherwise. */
const NEWEST_EMULATED_VERSION = '4.3.6';

/** How a delivery came back to its queue: `basic.reject`, `basic.nack`, or its channel or connection closed. */
export type ReturnKind = 'reject' | 'nack' | 'lost';

/** The quorum queue delivery limit RabbitMQ 4.0+ applies when a queue is declared without one. */
const DEFAULT_DELIVERY_LIMIT = 20;

/**
 * What differs between the RabbitMQ versions the in-memory broker emulates (the same table Warren
 * reads a real broker's version with, `BrokerCapabilities`), as measured on 3.10.8, 4.0.5 and 4.3.6:
 * which returns raise a quorum queue's `x-delivery-count` (before 4.3 every one; from 4.3 not
 * `basic.nack`), `x-acquired-count` (4.3+), the default delivery limit (20 from 4.0, where -1 means
 * none; 3.x dead-letters at the first return with -1) and the arguments a version refuses. Message
 * priorities are not emulated (on any queue type).
 */
export class BrokerSemantics {
  readonly capabilities: BrokerCapabilities;

  constructor(readonly version: string = NEWEST_EMULATED_VERSION) {
    this.capabilities = new BrokerCapabilities('RabbitMQ', version);
    if (!this.capabilities.known) throw new Error(`MemoryBroker: version '${version}' is not a RabbitMQ version such as '3.13', '4.0' or '4.3'`);
  }

  /** What `connection.start` announces (amqplib: `connection.serverProperties`). */
  get serverProperties(): Record<string, string> {
    return { product: 'RabbitMQ', version: this.version };
  }

  /** Whether this return raises the delivery count (quorum queues only count). */
  counts(kind: ReturnKind): boolean {
    return kind !== 'nack' || this.capabilities.nackRequeueCounts;
  }

  /** The delivery count past which a quorum queue dead-letters a message; undefined: none. */
  deliveryLimit(queue: MemoryQueue): number | undefined {
    if (queue.args['x-queue-type'] !== 'quorum') return undefined;
    const limit = queue.args['x-delivery-limit'];
    if (typeof limit !== 'number') return this.capabilities.unlimitedDeliveryLimit ? DEFAULT_DELIVERY_LIMIT : undefined;
    return limit < 0 && this.capabilities.unlimitedDeliveryLimit ? undefined : limit;
  }

  /** The properties a consumer sees: a quorum queue adds how often the message came back (and, 4.3+, was acquired). */
  delivered(queue: MemoryQueue | undefined, message: StoredMessage): MessageProperties {
    if (queue?.args['x-queue-type'] !== 'quorum' || (message.deliveryCount === 0 && message.acquired === 0)) return message.properties;
    return { ...message.properties, headers: { ...message.properties.headers, ...this.counters(message) } };
  }

  /** The headers a dead-lettered message keeps of its counts: 4.3 keeps both, older versions neither. */
  deadLettered(message: StoredMessage): Record<string, unknown> {
    return this.capabilities.acquiredCount ? this.counters(message) : {};
  }

  /** Refuses, as this version's broker would, a queue's arguments (after the universal checks). */
  checkArguments(name: string, args: Record<string, unknown>): void {
    const quorum = args['x-queue-type'] === 'quorum';
    const invalid = (arg: string, detail = '') => {
      const type = quorum ? ' of queue type rabbit_quorum_queue' : '';
      return new ChannelError(406, 'PRECONDITION_FAILED', `invalid arg '${arg}' for queue '${name}' in vhost '/'${detail || type}`, 50, 10);
    };
    if (quorum) {
      for (const arg of ['x-max-priority', 'x-queue-mode', 'x-queue-version']) if (args[arg] !== undefined) throw invalid(arg);
    } else if (this.capabilities.refusesQueueVersion1 && Number(args['x-queue-version']) === 1) {
      throw invalid('x-queue-version', `: "unsupported queue version '1'"`);
    }
  }

  private counters(message: StoredMessage): Record<string, unknown> {
    return {
      ...(message.deliveryCount > 0 ? { 'x-delivery-count': message.deliveryCount } : {}),
      ...(this.capabilities.acquiredCount && message.acquired > 0 ? { 'x-acquired-count': message.acquired } : {}),
    };
  }
}
