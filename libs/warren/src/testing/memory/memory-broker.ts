import { randomBytes } from 'crypto';
import type { MessageProperties, Options } from 'amqplib';
import { Binding, ExchangeType, bindingMatches } from './memory-routing';
import { MemoryQueue, QueueConsumerSlot, StoredMessage } from './memory-queue';
import { ChannelError } from './channel-error';
import { BrokerSemantics, ReturnKind } from './broker-semantics';
import { queueArguments, describeArgument, withDeath } from './memory-headers';

interface MemoryExchange {
  name: string;
  type: ExchangeType;
  durable: boolean;
  internal: boolean;
  bindings: Binding[];
}

/** Direct reply-to: the pseudo-queue a channel consumes its replies from, and the prefix of its address. */
export const REPLY_TO = 'amq.rabbitmq.reply-to';

// Deliveries and confirms run on the real event loop, not on a faked clock: jest's fake timers then skip
// only what is time (TTLs, retry delays, timeouts) and messages still flow. Captured when this loads.
const realSetImmediate = setImmediate;

/** Runs `work` on the next turn of the real event loop (see above); the channel uses it too. */
export const later = (work: () => void): void => void realSetImmediate(work);

/** Options of `new MemoryBroker(...)`. */
export interface MemoryBrokerOptions {
  /**
   * The RabbitMQ version whose semantics it emulates and announces (`serverProperties.version`):
   * before 4.3 every requeue counts toward a quorum queue's delivery limit, from 4.3 `basic.nack`
   * does not and deliveries carry `x-acquired-count`; from 4.0 quorum queues default to a limit of
   * 20 and take -1 for none. E.g. '3.13' to test what a 3.x production broker does.
   * @default '4.3.6' (the newest it emulates)
   */
  version?: string;
}

/**
 * A RabbitMQ broker in memory, for tests: exchanges (default, direct, topic, fanout, headers, and
 * exchange-to-exchange bindings), queues with bindings, per-consumer prefetch, acks, requeues,
 * rejects, queue and message TTLs, dead-letter exchanges with `x-death`, quorum delivery limits
 * counted as the emulated version counts them, server-named exclusive and auto-delete queues, and
 * direct reply-to. What it does not model is listed in docs/testing.md. One per test module;
 * `reset()` empties it.
 */
export class MemoryBroker {
  private readonly exchanges = new Map<string, MemoryExchange>();
  private readonly queues = new Map<string, MemoryQueue>();
  private readonly replyTargets = new Map<string, (message: StoredMessage) => void>();
  private readonly timers = new Map<MemoryQueue, { at: number; timer: NodeJS.Timeout }>();
  private scheduled = new Set<MemoryQueue>();
  private readonly connections = new Set<{ name: string; forceClose(reason?: string): void }>();
  /** The user every connection is authenticated as (a publish with another `userId` is refused, as RabbitMQ does). */
  readonly user = 'guest';
  /** What the emulated version does differently (see `MemoryBrokerOptions.version`). */
  readonly semantics: BrokerSemantics;

  constructor(options: MemoryBrokerOptions = {}) {
    this.semantics = new BrokerSemantics(options.version);
    this.reset();
  }

  /** The emulated RabbitMQ version, as a connection announces it. */
  get version(): string {
    return this.semantics.version;
  }

  /** Forgets every exchange, queue and message (the predeclared `amq.*` exchanges come back). */
  reset(): void {
    for (const { timer } of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
    this.queues.clear();
    this.exchanges.clear();
    for (const [name, type] of [['', 'direct'], ['amq.direct', 'direct'], ['amq.topic', 'topic'], ['amq.fanout', 'fanout'], ['amq.headers', 'headers'], ['amq.match', 'headers']] as const) {
      this.exchanges.set(name, { name, type, durable: true, internal: false, bindings: [] });
    }
  }

  // ---- connections ----

  /** Registers a client connection (by its `connection.name`) for `closeConnections`; returns how to unregister it. */
  attach(connection: { name: string; forceClose(reason?: string): void }): () => void {
    this.connections.add(connection);
    return () => this.connections.delete(connection);
  }

  /**
   * Force-closes every connection whose name starts with `prefix` (all when omitted), as
   * `rabbitmqctl close_connection` would: unacked deliveries go back, clients reconnect. Returns how many.
   */
  closeConnections(prefix = '', reason = 'CONNECTION_FORCED - closed by the in-memory broker'): number {
    const matching = [...this.connections].filter((connection) => connection.name.startsWith(prefix));
    for (const connection of matching) connection.forceClose(reason);
    return matching.length;
  }

  // ---- inspection (tests) ----

  /** Names of the queues that exist. */
  queueNames(): string[] {
    return [...this.queues.keys()];
  }

  /** Messages ready in `queue` (not counting delivered, unacked ones); undefined when it does not exist. */
  messageCount(queue: string): number | undefined {
    return this.queues.get(queue)?.messages.length;
  }

  /** Copies of the messages ready in `queue`, oldest first. */
  peek(queue: string): Array<{ content: Buffer; properties: MessageProperties; routingKey: string }> {
    return (this.queues.get(queue)?.messages ?? []).map(({ content, properties, routingKey }) => ({ content, properties, routingKey }));
  }

  // ---- exchanges ----

  /** exchange.declare (the in-memory channel calls it; also usable to set up a test). */
  assertExchange(name: string, type: string, options: Options.AssertExchange = {}): void {
    if (name === '' || name.startsWith('amq.')) {
      if (this.exchanges.has(name)) return;
      throw new ChannelError(403, 'ACCESS_REFUSED', `exchange name '${name}' contains reserved prefix 'amq.*'`, 40, 10);
    }
    const existing = this.exchanges.get(name);
    if (existing) {
      if (existing.type !== type) {
        throw new ChannelError(406, 'PRECONDITION_FAILED', `inequivalent arg 'type' for exchange '${name}' in vhost '/': received '${type}' but current is '${existing.type}'`, 40, 10);
      }
      return;
    }
    if (!['direct', 'topic', 'fanout', 'headers'].includes(type)) {
      throw new ChannelError(503, 'COMMAND_INVALID', `unknown exchange type '${type}'`, 40, 10);
    }
    this.exchanges.set(name, { name, type: type as ExchangeType, durable: options.durable ?? true, internal: options.internal ?? false, bindings: [] });
  }

  /** exchange.declare passive: throws NOT_FOUND when the exchange does not exist. */
  checkExchange(name: string): void {
    this.exchange(name, 40, 10);
  }

  /** exchange.delete, with the bindings to and from it. */
  deleteExchange(name: string): void {
    this.exchanges.delete(name);
    for (const exchange of this.exchanges.values()) exchange.bindings = exchange.bindings.filter((b) => !(b.toExchange && b.destination === name));
  }

  /** exchange.bind: `source` routes to the exchange `destination` by `pattern`. */
  bindExchange(destination: string, source: string, pattern: string, args: Record<string, unknown> = {}): void {
    this.exchange(destination, 40, 30);
    const exchange = this.exchange(source, 40, 30);
    if (!exchange.bindings.some((b) => b.toExchange && b.destination === destination && b.key === pattern)) {
      exchange.bindings.push({ destination, toExchange: true, key: pattern, args });
    }
  }

  // ---- queues ----

  /**
   * queue.declare; a name of '' gets a server-named queue; other arguments than the existing queue's fail PRECONDITION_FAILED.
   */
  assertQueue(name: string, options: Options.AssertQueue, owner: object): { queue: string; messageCount: number; consumerCount: number } {
    const args = queueArguments(options);
    const queueName = name === '' ? `amq.gen-${randomBytes(16).toString('base64url')}` : name;
    const existing = this.queues.get(queueName);
    if (existing) {
      this.checkOwner(existing, owner, 50, 10);
      for (const key of new Set([...Object.keys(args), ...Object.keys(existing.args)])) {
        if (String(args[key]) !== String(existing.args[key])) {
          throw new ChannelError(406, 'PRECONDITION_FAILED', `inequivalent arg '${key}' for queue '${queueName}' in vhost '/': received ${describeArgument(args[key])} but current is ${describeArgument(existing.args[key])}`, 50, 10);
        }
      }
      return { queue: queueName, messageCount: existing.messages.length, consumerCount: existing.consumers.length };
    }
    if (queueName.startsWith('amq.') && name !== '') throw new ChannelError(403, 'ACCESS_REFUSED', `queue name '${queueName}' contains reserved prefix 'amq.*'`, 50, 10);
    if (args['x-queue-type'] === 'quorum' && (options.exclusive || options.autoDelete || options.durable === false)) {
      throw new ChannelError(406, 'PRECONDITION_FAILED', `invalid property 'exclusive', 'auto-delete' or 'non-durable' for queue '${queueName}' in vhost '/'`, 50, 10);
    }
    this.semantics.checkArguments(queueName, args);
    const queue = new MemoryQueue(queueName, options.durable ?? true, options.exclusive ? owner : undefined, options.autoDelete ?? false, args);
    this.queues.set(queueName, queue);
    return { queue: queueName, messageCount: 0, consumerCount: 0 };
  }

  /** queue.declare passive: throws NOT_FOUND when the queue does not exist. */
  checkQueue(name: string, owner: object): { queue: string; messageCount: number; consumerCount: number } {
    const queue = this.queue(name, 50, 10);
    this.checkOwner(queue, owner, 50, 10);
    return { queue: name, messageCount: queue.messages.length, consumerCount: queue.consumers.length };
  }

  /** queue.delete: returns how many messages it held. */
  deleteQueue(name: string): { messageCount: number } {
    const queue = this.queues.get(name);
    if (!queue) return { messageCount: 0 };
    this.queues.delete(name);
    const timer = this.timers.get(queue);
    if (timer) clearTimeout(timer.timer);
    this.timers.delete(queue);
    for (const exchange of this.exchanges.values()) exchange.bindings = exchange.bindings.filter((b) => b.toExchange || b.destination !== name);
    for (const consumer of [...queue.consumers]) (consumer as QueueConsumerSlot & { cancelledByBroker?: () => void }).cancelledByBroker?.();
    return { messageCount: queue.messages.length };
  }

  /** queue.purge: removes the ready messages, returns how many. */
  purgeQueue(name: string): { messageCount: number } {
    const queue = this.queue(name, 50, 30);
    const messageCount = queue.messages.length;
    queue.messages.length = 0;
    return { messageCount };
  }

  /** queue.bind: `source` routes to `queue` by `pattern` (and `args` for headers exchanges). */
  bindQueue(queue: string, source: string, pattern: string, args: Record<string, unknown> = {}): void {
    this.queue(queue, 50, 20);
    if (source === '') throw new ChannelError(403, 'ACCESS_REFUSED', "operation not permitted on the default exchange", 50, 20);
    const exchange = this.exchange(source, 50, 20);
    if (!exchange.bindings.some((b) => !b.toExchange && b.destination === queue && b.key === pattern && JSON.stringify(b.args) === JSON.stringify(args))) {
      exchange.bindings.push({ destination: queue, toExchange: false, key: pattern, args });
    }
  }

  /** queue.unbind. */
  unbindQueue(queue: string, source: string, pattern: string): void {
    const exchange = this.exchanges.get(source);
    if (exchange) exchange.bindings = exchange.bindings.filter((b) => b.toExchange || b.destination !== queue || b.key !== pattern);
  }

  /** Queues an exclusive owner (a connection) declared: deleted when it closes. */
  dropExclusive(owner: object): void {
    for (const queue of [...this.queues.values()]) if (queue.exclusiveOwner === owner) this.deleteQueue(queue.name);
  }

  // ---- publishing and delivery ----

  /**
   * Routes a message; returns whether any queue (or reply consumer) took it. Throws the channel
   * error RabbitMQ raises for a missing or internal exchange, or a forged user id.
   */
  publish(exchangeName: string, routingKey: string, content: Buffer, properties: MessageProperties): boolean {
    if (properties.userId !== undefined && properties.userId !== this.user) {
      throw new ChannelError(406, 'PRECONDITION_FAILED', `user_id property set to '${properties.userId}' but authenticated user was '${this.user}'`, 60, 40);
    }
    const exchange = this.exchange(exchangeName, 60, 40);
    if (exchange.internal) throw new ChannelError(403, 'ACCESS_REFUSED', `cannot publish to internal exchange '${exchangeName}' in vhost '/'`, 60, 40);
    if (exchangeName === '' && routingKey.startsWith(`${REPLY_TO}.`)) {
      const target = this.replyTargets.get(routingKey);
      target?.({ content, properties, exchange: '', routingKey, redelivered: false, deliveryCount: 0, acquired: 0 });
      return target !== undefined;
    }
    const queues = this.route(exchange, routingKey, properties.headers ?? undefined, new Set());
    for (const queue of queues) this.enqueue(queue, { content, properties, exchange: exchangeName, routingKey, redelivered: false, deliveryCount: 0, acquired: 0 });
    return queues.size > 0;
  }

  /** Registers a channel's reply consumer; returns its reply-to address. */
  registerReplyTarget(deliver: (message: StoredMessage) => void): {
    address: string;
    /** Unregisters it. */
    release: () => void;
  } {
    const address = `${REPLY_TO}.${randomBytes(12).toString('base64url')}`;
    this.replyTargets.set(address, deliver);
    return { address, release: () => this.replyTargets.delete(address) };
  }

  /** basic.consume on a queue (the in-memory channel calls it). */
  addConsumer(name: string, consumer: QueueConsumerSlot, owner: object): void {
    const queue = this.queue(name, 60, 20);
    this.checkOwner(queue, owner, 60, 20);
    queue.consumers.push(consumer);
    queue.hadConsumer = true;
    this.schedule(queue);
  }

  /** basic.cancel. */
  removeConsumer(name: string, consumer: QueueConsumerSlot): void {
    const queue = this.queues.get(name);
    if (!queue) return;
    const index = queue.consumers.indexOf(consumer);
    if (index >= 0) queue.consumers.splice(index, 1);
    if (queue.autoDelete && queue.hadConsumer && queue.consumers.length === 0) this.deleteQueue(name);
  }

  /** basic.get: the next ready message, or undefined. */
  get(name: string, owner: object): StoredMessage | undefined {
    const queue = this.queue(name, 60, 70);
    this.checkOwner(queue, owner, 60, 70);
    this.expire(queue);
    return queue.messages.shift();
  }

  /** A consumer has room again (an ack): deliver what waits. */
  wake(name: string): void {
    const queue = this.queues.get(name);
    if (queue) this.schedule(queue);
  }

  /**
   * A message given back (`kind`: reject or nack with requeue, or its channel closed): to the head,
   * redelivered. A quorum queue counts the return as the emulated version does, and dead-letters
   * it past its delivery limit.
   */
  requeue(name: string, message: StoredMessage, kind: ReturnKind): void {
    const queue = this.queues.get(name);
    if (!queue) return;
    const deliveryCount = message.deliveryCount + (this.semantics.counts(kind) ? 1 : 0);
    const returned = { ...message, redelivered: true, deliveryCount, acquired: message.acquired + 1 };
    const limit = this.semantics.deliveryLimit(queue);
    if (limit !== undefined && deliveryCount > limit) {
      this.deadLetter(queue, returned, 'delivery_limit');
      return;
    }
    queue.messages.unshift(returned);
    this.schedule(queue);
  }

  /** The properties a consumer of `queue` sees on `message` (a quorum queue's counters added). */
  delivered(queue: string | MemoryQueue, message: StoredMessage): MessageProperties {
    return this.semantics.delivered(typeof queue === 'string' ? this.queues.get(queue) : queue, message);
  }

  /** A message rejected without requeue: dead-lettered if the queue says where, else dropped. */
  rejected(name: string, message: StoredMessage): void {
    const queue = this.queues.get(name);
    if (queue) this.deadLetter(queue, message, 'rejected');
  }

  private enqueue(queue: MemoryQueue, message: StoredMessage): void {
    const ttls = [queue.messageTtl, message.properties.expiration !== undefined ? Number(message.properties.expiration) : undefined].filter(
      (ttl): ttl is number => ttl !== undefined && Number.isFinite(ttl),
    );
    const stored = ttls.length > 0 ? { ...message, expiresAt: Date.now() + Math.min(...ttls) } : message;
    queue.messages.push(stored);
    this.schedule(queue);
  }

  private schedule(queue: MemoryQueue): void {
    if (this.scheduled.has(queue)) return;
    this.scheduled.add(queue);
    later(() => {
      this.scheduled.delete(queue);
      if (this.queues.get(queue.name) === queue) this.pump(queue);
    });
  }

  private pump(queue: MemoryQueue): void {
    this.expire(queue);
    // At most what is ready now: a message requeued during this pass waits for the next one, so a
    // consumer that gives every message back (as Warren does while it shuts down) cannot spin forever.
    for (let budget = queue.messages.length; budget > 0 && queue.messages.length > 0; budget--) {
      const consumer = queue.nextConsumer();
      if (!consumer) break;
      const message = queue.messages.shift()!;
      if (!consumer.noAck) consumer.unacked++;
      consumer.deliver(message, queue);
    }
    this.armExpiry(queue);
  }

  /** Expired messages at the head are dropped or dead-lettered (RabbitMQ expires only at the head). */
  private expire(queue: MemoryQueue): void {
    const now = Date.now();
    while (queue.messages.length > 0 && queue.messages[0].expiresAt !== undefined && queue.messages[0].expiresAt <= now) {
      this.deadLetter(queue, queue.messages.shift()!, 'expired');
    }
  }

  /** A timer (on the clock jest can fake) for the head's expiry. */
  private armExpiry(queue: MemoryQueue): void {
    const at = queue.messages[0]?.expiresAt;
    const current = this.timers.get(queue);
    if (current && current.at === at) return;
    if (current) clearTimeout(current.timer);
    this.timers.delete(queue);
    if (at === undefined) return;
    const timer = setTimeout(() => {
      this.timers.delete(queue);
      if (this.queues.get(queue.name) === queue) this.pump(queue);
    }, Math.max(0, at - Date.now()));
    timer.unref?.();
    this.timers.set(queue, { at, timer });
  }

  private deadLetter(queue: MemoryQueue, message: StoredMessage, reason: string): void {
    const dlx = queue.deadLetterExchange;
    if (dlx === undefined) return;
    const exchange = this.exchanges.get(dlx);
    if (!exchange) return; // RabbitMQ drops it too
    const routingKey = typeof queue.args['x-dead-letter-routing-key'] === 'string' ? (queue.args['x-dead-letter-routing-key'] as string) : message.routingKey;
    const headers = { ...withDeath(message, queue.name, reason, this.semantics.capabilities.atLeast(3, 13)), ...this.semantics.deadLettered(message) };
    const properties: MessageProperties = { ...message.properties, headers, expiration: undefined };
    const targets = this.route(exchange, routingKey, headers, new Set());
    for (const target of targets) this.enqueue(target, { content: message.content, properties, exchange: dlx, routingKey, redelivered: false, deliveryCount: 0, acquired: 0 });
  }

  private route(exchange: MemoryExchange, routingKey: string, headers: Record<string, unknown> | undefined, seen: Set<string>): Set<MemoryQueue> {
    const found = new Set<MemoryQueue>();
    if (exchange.name === '') {
      const queue = this.queues.get(routingKey);
      if (queue) found.add(queue);
      return found;
    }
    seen.add(exchange.name);
    for (const binding of exchange.bindings) {
      if (!bindingMatches(exchange.type, binding, routingKey, headers)) continue;
      if (binding.toExchange) {
        const next = this.exchanges.get(binding.destination);
        if (next && !seen.has(next.name)) for (const queue of this.route(next, routingKey, headers, seen)) found.add(queue);
      } else {
        const queue = this.queues.get(binding.destination);
        if (queue) found.add(queue);
      }
    }
    return found;
  }

  private exchange(name: string, classId: number, methodId: number): MemoryExchange {
    const exchange = this.exchanges.get(name);
    if (!exchange) throw new ChannelError(404, 'NOT_FOUND', `no exchange '${name}' in vhost '/'`, classId, methodId);
    return exchange;
  }

  private queue(name: string, classId: number, methodId: number): MemoryQueue {
    const queue = this.queues.get(name);
    if (!queue) throw new ChannelError(404, 'NOT_FOUND', `no queue '${name}' in vhost '/'`, classId, methodId);
    return queue;
  }

  private checkOwner(queue: MemoryQueue, owner: object, classId: number, methodId: number): void {
    if (queue.exclusiveOwner !== undefined && queue.exclusiveOwner !== owner) {
      throw new ChannelError(405, 'RESOURCE_LOCKED', `cannot obtain exclusive access to locked queue '${queue.name}' in vhost '/'`, classId, methodId);
    }
  }
}
