import { EventEmitter } from 'events';
import { randomBytes } from 'crypto';
import type { ConsumeMessage, GetMessage, Message, MessageProperties, Options } from 'amqplib';
import { ChannelError, IllegalOperationError } from './channel-error';
import { MemoryBroker, REPLY_TO, later } from './memory-broker';
import type { MemoryQueue, QueueConsumerSlot, StoredMessage } from './memory-queue';
import type { ReturnKind } from './broker-semantics';

type ConfirmCallback = (err: unknown, ok?: unknown) => void;
type ConsumeCallback = (message: ConsumeMessage | null) => void;

interface Unacked {
  queue: string;
  message: StoredMessage;
  slot?: QueueConsumerSlot;
}


/**
 * An amqplib channel (and confirm channel) on the in-memory broker: the methods Warren and
 * golevelup-style code call, with RabbitMQ's channel semantics — a refused operation closes the
 * channel with the broker's error ('error' then 'close'), unacked deliveries go back to their queue
 * when it closes, confirms and returns arrive after the publish call, mandatory returns before the confirm.
 */
export class MemoryChannel extends EventEmitter {
  private closed = false;
  private closing = false;
  private prefetchCount = 0;
  private deliveryTag = 0;
  private readonly unacked = new Map<number, Unacked>();
  private readonly consumers = new Map<string, { queue: string; slot?: QueueConsumerSlot }>();
  private readonly confirms = new Set<ConfirmCallback>();
  private reply?: { address: string; release: () => void };

  constructor(
    private readonly broker: MemoryBroker,
    /** The connection, which owns exclusive queues. */
    readonly owner: object,
    private readonly confirming: boolean,
    private readonly onClosed: (channel: MemoryChannel) => void,
  ) {
    super();
  }

  // ---- topology ----
  assertExchange(exchange: string, type: string, options?: Options.AssertExchange) {
    return this.op(() => (this.broker.assertExchange(exchange, type, options), { exchange }));
  }
  checkExchange(exchange: string) {
    return this.op(() => (this.broker.checkExchange(exchange), {}));
  }
  deleteExchange(exchange: string) {
    return this.op(() => (this.broker.deleteExchange(exchange), {}));
  }
  bindExchange(destination: string, source: string, pattern: string, args?: Record<string, unknown>) {
    return this.op(() => (this.broker.bindExchange(destination, source, pattern, args), {}));
  }
  assertQueue(queue = '', options: Options.AssertQueue = {}) {
    return this.op(() => this.broker.assertQueue(queue, options, this.owner));
  }
  checkQueue(queue: string) {
    return this.op(() => this.broker.checkQueue(queue, this.owner));
  }
  deleteQueue(queue: string) {
    return this.op(() => this.broker.deleteQueue(queue));
  }
  purgeQueue(queue: string) {
    return this.op(() => this.broker.purgeQueue(queue));
  }
  bindQueue(queue: string, source: string, pattern: string, args?: Record<string, unknown>) {
    return this.op(() => (this.broker.bindQueue(queue, source, pattern, args ?? {}), {}));
  }
  unbindQueue(queue: string, source: string, pattern: string) {
    return this.op(() => (this.broker.unbindQueue(queue, source, pattern), {}));
  }
  prefetch(count: number) {
    return this.op(() => ((this.prefetchCount = count), {}));
  }

  // ---- publishing ----
  publish(exchange: string, routingKey: string, content: Buffer, options: Options.Publish = {}, callback?: ConfirmCallback): boolean {
    if (this.closed || this.closing) throw new IllegalOperationError('Channel closed');
    const properties = toProperties(options);
    if (properties.replyTo === REPLY_TO) {
      if (!this.reply) {
        later(() => this.fail(new ChannelError(406, 'PRECONDITION_FAILED', 'fast reply consumer does not exist', 60, 40)));
        return true;
      }
      properties.replyTo = this.reply.address;
    }
    const confirm = this.confirming && callback ? callback : undefined;
    if (confirm) this.confirms.add(confirm);
    later(() => {
      if (this.closed) return;
      try {
        const routed = this.broker.publish(exchange, routingKey, Buffer.from(content), properties);
        if (!routed && options.mandatory) {
          this.emit('return', { content, properties, fields: { replyCode: 312, replyText: 'NO_ROUTE', exchange, routingKey } } as unknown as Message);
        }
      } catch (error) {
        if (error instanceof ChannelError) return this.fail(error);
        throw error;
      }
      if (confirm && this.confirms.delete(confirm)) confirm(null);
    });
    return true;
  }

  sendToQueue(queue: string, content: Buffer, options?: Options.Publish, callback?: ConfirmCallback): boolean {
    return this.publish('', queue, content, options, callback);
  }

  waitForConfirms(): Promise<void> {
    const waiting = [...this.confirms];
    if (waiting.length === 0) return Promise.resolve();
    return new Promise((resolve, reject) => {
      let left = waiting.length;
      for (const callback of waiting) {
        const wrapped: ConfirmCallback = (err) => {
          callback(err);
          if (err) reject(err);
          else if (--left === 0) resolve();
        };
        this.confirms.delete(callback);
        this.confirms.add(wrapped);
      }
    });
  }

  // ---- consuming ----
  consume(queue: string, onMessage: ConsumeCallback, options: Options.Consume = {}) {
    return this.op(() => {
      const consumerTag = options.consumerTag || `amq.ctag-${randomBytes(16).toString('base64url')}`;
      if (queue === REPLY_TO) {
        if (!options.noAck) throw new ChannelError(406, 'PRECONDITION_FAILED', 'reply consumer cannot acknowledge', 60, 20);
        this.reply = this.broker.registerReplyTarget((message) => later(() => !this.closed && onMessage(this.toDelivery(message, message.properties, 0, consumerTag))));
        this.consumers.set(consumerTag, { queue });
        return { consumerTag };
      }
      const slot: QueueConsumerSlot & { cancelledByBroker: () => void } = {
        tag: consumerTag,
        prefetch: this.prefetchCount,
        unacked: 0,
        noAck: options.noAck ?? false,
        deliver: (message: StoredMessage, from: MemoryQueue) => {
          const tag = ++this.deliveryTag;
          if (!slot.noAck) this.unacked.set(tag, { queue: from.name, message, slot });
          onMessage(this.toDelivery(message, this.broker.delivered(from, message), tag, consumerTag));
        },
        cancelledByBroker: () => {
          this.consumers.delete(consumerTag);
          later(() => !this.closed && onMessage(null));
        },
      };
      this.broker.addConsumer(queue, slot, this.owner);
      this.consumers.set(consumerTag, { queue, slot });
      return { consumerTag };
    });
  }

  cancel(consumerTag: string) {
    return this.op(() => {
      const consumer = this.consumers.get(consumerTag);
      this.consumers.delete(consumerTag);
      if (consumer?.slot) this.broker.removeConsumer(consumer.queue, consumer.slot);
      else if (consumer) this.releaseReply();
      return { consumerTag };
    });
  }

  get(queue: string, options: Options.Get = {}) {
    return this.op((): GetMessage | false => {
      const message = this.broker.get(queue, this.owner);
      if (!message) return false;
      const tag = ++this.deliveryTag;
      if (!options.noAck) this.unacked.set(tag, { queue, message });
      const delivery = this.toDelivery(message, this.broker.delivered(queue, message), tag, '');
      return { ...delivery, fields: { ...delivery.fields, messageCount: this.broker.messageCount(queue) ?? 0 } } as unknown as GetMessage;
    });
  }

  ack(message: Message, allUpTo = false): void {
    this.settle(message, allUpTo, (entry) => this.release(entry));
  }

  nack(message: Message, allUpTo = false, requeue = true): void {
    this.settle(message, allUpTo, (entry) => this.giveBack(entry, requeue, 'nack'));
  }

  reject(message: Message, requeue = true): void {
    this.settle(message, false, (entry) => this.giveBack(entry, requeue, 'reject'));
  }

  ackAll(): void {
    for (const tag of [...this.unacked.keys()]) this.release(this.take(tag));
  }

  nackAll(requeue = true): void {
    for (const tag of [...this.unacked.keys()].reverse()) this.giveBack(this.take(tag), requeue, 'nack');
  }

  recover() {
    return this.op(() => (this.returnUnacked(), {}));
  }

  /** Closes after what was already sent on this channel (as the socket would carry it first). */
  close(): Promise<void> {
    if (this.closed || this.closing) return Promise.reject(new IllegalOperationError('Channel closed'));
    this.closing = true;
    return new Promise((resolve) =>
      later(() => {
        this.shutdown(undefined);
        resolve();
      }),
    );
  }

  /** The connection closed under this channel. */
  connectionLost(error: Error): void {
    this.shutdown(error);
  }

  // ---- internals ----
  private op<T>(work: () => T): Promise<T> {
    if (this.closed) return Promise.reject(new IllegalOperationError('Channel closed'));
    return new Promise((resolve, reject) =>
      later(() => {
        if (this.closed) return reject(new IllegalOperationError('Channel closed'));
        try {
          resolve(work());
        } catch (error) {
          if (error instanceof ChannelError) this.fail(error);
          reject(error);
        }
      }),
    );
  }

  private settle(message: Message, allUpTo: boolean, action: (entry: Unacked) => void): void {
    if (this.closed) throw new IllegalOperationError('Channel closed');
    const tag = message.fields.deliveryTag;
    if (!allUpTo) {
      if (!this.unacked.has(tag)) return void later(() => this.fail(new ChannelError(406, 'PRECONDITION_FAILED', `unknown delivery tag ${tag}`, 60, 80)));
      action(this.take(tag));
      return;
    }
    for (const pending of [...this.unacked.keys()].filter((t) => t <= tag).sort((a, b) => b - a)) action(this.take(pending));
  }

  private take(tag: number): Unacked {
    const entry = this.unacked.get(tag)!;
    this.unacked.delete(tag);
    return entry;
  }

  private release(entry: Unacked): void {
    if (entry.slot) entry.slot.unacked--;
    this.broker.wake(entry.queue);
  }

  private giveBack(entry: Unacked, requeue: boolean, kind: ReturnKind): void {
    if (entry.slot) entry.slot.unacked--;
    if (requeue) this.broker.requeue(entry.queue, entry.message, kind);
    else this.broker.rejected(entry.queue, entry.message);
    this.broker.wake(entry.queue);
  }

  /** Unacked deliveries go back, in order (the oldest ends up first). */
  private returnUnacked(): void {
    for (const tag of [...this.unacked.keys()].sort((a, b) => b - a)) this.giveBack(this.take(tag), true, 'lost');
  }

  private releaseReply(): void {
    this.reply?.release();
    this.reply = undefined;
  }

  private fail(error: ChannelError): void {
    if (this.closed) return;
    if (this.listenerCount('error') > 0) this.emit('error', error);
    this.shutdown(error);
  }

  private shutdown(error: Error | undefined): void {
    if (this.closed) return;
    this.closed = true;
    for (const { queue, slot } of this.consumers.values()) if (slot) this.broker.removeConsumer(queue, slot);
    this.consumers.clear();
    this.releaseReply();
    this.returnUnacked();
    this.onClosed(this);
    later(() => {
      // As amqplib does, in its own first 'close' listener: pending confirms fail with 'channel closed'.
      const pending = [...this.confirms];
      this.confirms.clear();
      for (const confirm of pending) confirm(new Error('channel closed'));
      this.emit('close', error);
    });
  }

  private toDelivery(message: StoredMessage, properties: MessageProperties, deliveryTag: number, consumerTag: string): ConsumeMessage {
    return {
      content: message.content,
      fields: { deliveryTag, redelivered: message.redelivered, exchange: message.exchange, routingKey: message.routingKey, consumerTag },
      properties,
    } as ConsumeMessage;
  }
}

/** amqplib publish options → the properties a consumer sees (every key present, undefined when unset). */
function toProperties(options: Options.Publish): MessageProperties {
  const deliveryMode = options.deliveryMode ?? (options.persistent ? 2 : options.persistent === false ? 1 : undefined);
  return {
    contentType: options.contentType,
    contentEncoding: options.contentEncoding,
    headers: options.headers ? cloneValue(options.headers) : undefined,
    deliveryMode,
    priority: options.priority,
    correlationId: options.correlationId,
    replyTo: options.replyTo,
    expiration: options.expiration !== undefined ? String(options.expiration) : undefined,
    messageId: options.messageId,
    timestamp: options.timestamp,
    type: options.type,
    userId: options.userId,
    appId: options.appId,
    clusterId: undefined,
  } as MessageProperties;
}

/** What encoding on the wire would do to a header value: a copy (Buffers stay Buffers). */
function cloneValue<T>(value: T): T {
  if (Buffer.isBuffer(value)) return Buffer.from(value) as T;
  if (Array.isArray(value)) return value.map(cloneValue) as T;
  if (value && typeof value === 'object' && !(value instanceof Date)) {
    return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined).map(([k, v]) => [k, cloneValue(v)])) as T;
  }
  return value;
}
