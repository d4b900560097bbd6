import type { MessageProperties } from 'amqplib';

/** A message as the in-memory broker holds it. */
export interface StoredMessage {
  content: Buffer;
  properties: MessageProperties;
  exchange: string;
  routingKey: string;
  redelivered: boolean;
  /** Returns that counted as delivery attempts (a quorum queue's `x-delivery-count`; which count depends on the version). */
  deliveryCount: number;
  /** Times it was delivered or got and came back (RabbitMQ 4.3's `x-acquired-count`). */
  acquired: number;
  /** Date.now() after which it expires (queue TTL or per-message expiration). */
  expiresAt?: number;
}

/** A consumer as a queue sees it: the channel side delivers and counts what is unacked. */
export interface QueueConsumerSlot {
  tag: string;
  /** 0: unlimited. */
  prefetch: number;
  unacked: number;
  noAck: boolean;
  deliver(message: StoredMessage, queue: MemoryQueue): void;
}

/** A queue: messages in order, consumers served round-robin within their prefetch. */
export class MemoryQueue {
  readonly messages: StoredMessage[] = [];
  readonly consumers: QueueConsumerSlot[] = [];
  private next = 0;
  /** Had a consumer once (an auto-delete queue goes when its last one leaves). */
  hadConsumer = false;

  constructor(
    readonly name: string,
    readonly durable: boolean,
    readonly exclusiveOwner: object | undefined,
    readonly autoDelete: boolean,
    readonly args: Record<string, unknown>,
  ) {}

  get messageTtl(): number | undefined {
    const ttl = this.args['x-message-ttl'];
    return typeof ttl === 'number' ? ttl : undefined;
  }

  get deadLetterExchange(): string | undefined {
    const dlx = this.args['x-dead-letter-exchange'];
    return typeof dlx === 'string' ? dlx : undefined;
  }

  /** The next consumer with room under its prefetch, round-robin; undefined when all are full. */
  nextConsumer(): QueueConsumerSlot | undefined {
    for (let i = 0; i < this.consumers.length; i++) {
      const consumer = this.consumers[(this.next + i) % this.consumers.length];
      if (consumer.noAck || consumer.prefetch === 0 || consumer.unacked < consumer.prefetch) {
        this.next = (this.next + i + 1) % this.consumers.length;
        return consumer;
      }
    }
    return undefined;
  }
}
