import { BeforeApplicationShutdown, Inject, Injectable, OnApplicationBootstrap, OnApplicationShutdown, OnModuleInit, Optional } from '@nestjs/common';
import { BrokerConnection } from './connection/broker-connection';
import { MessageDispatcher } from './consumer/message-dispatcher';
import { QueueConsumer } from './consumer/queue-consumer';
import { QueueGroup, describeHandlerTarget, groupByQueue } from './consumer/queue-groups';
import type { HandlerDefinition } from './consumer/handler-definition';
import { WarrenLogger } from './logging/warren-logger';
import { addRedactor } from './logging/redact';
import { MessageProducer } from './producer/message-producer';
import { RpcClient } from './rpc/rpc-client';
import { replyToPolicy } from './rpc/reply-to-policy';
import { PayloadValidator } from './validation/payload-validator';
import { applyNamedHandlerOptions, batchPrefetch, flowOptionsOf, maxInFlightBytesOf, prefetchOf } from './consumer/handler-config';
import { queueKindOf } from './consumer/queue-type';
import { checkQueueForBroker } from './consumer/broker-version-rules';
import { ConsumerConnections } from './consumer/consumer-connections';
import { ConsumerPublisher } from './consumer/consumer-publisher';
import { ConsumerEvents } from './consumer/consumer-events';
import { startConsumers } from './consumer/consumer-starter';
import { MessageObservers } from './observers/message-observers';
import { WarrenExplorer } from './warren.explorer';
import { checkTopology, requiredTopology } from './topology/topology-check';
import { MESSAGES } from './warren.messages';
import { WARREN_RESOLVED_OPTIONS } from './warren.providers';
import type { ResolvedWarrenOptions } from './warren-options';
import type { WarrenEvents } from './connection/warren-events';

const MIN_START_TIMEOUT_MS = 10_000;
/** Consumers starting at once: enough to keep the broker busy, few enough that each meets its own timeout. */
const START_CONCURRENCY = 100;

/**
 * Warren's lifecycle. Handlers are found in onModuleInit, consumers start in
 * onApplicationBootstrap (so `app.init()` resolves only when every one is attached), and
 * shutdown runs in two steps: beforeApplicationShutdown stops deliveries and drains,
 * onApplicationShutdown closes channels and the connection.
 */
@Injectable()
export class WarrenOrchestrator implements OnModuleInit, OnApplicationBootstrap, BeforeApplicationShutdown, OnApplicationShutdown {
  private consumers: QueueConsumer[] = [];
  /** One validator for every consumer, the discovered and the run-time ones alike. */
  private readonly validator: PayloadValidator | undefined;
  private handlers: HandlerDefinition[] = [];
  private drained?: Promise<void>;
  private readonly consumerConnections: ConsumerConnections;
  /** Consumers' retries, dead letters and RPC replies, on the publishing connection. */
  private readonly consumerPublisher: ConsumerPublisher;
  private readonly logger: WarrenLogger;
  /** @internal Consumers pausing and resuming, by cause (see ConsumerEvents). */
  readonly consumerEvents = new ConsumerEvents();
  /** Removes the `redact` option's hook (registered from construction, which both the module and createWarren do first). */
  private readonly removeRedactor: () => void;

  constructor(
    private readonly explorer: WarrenExplorer,
    private readonly connection: BrokerConnection,
    private readonly producer: MessageProducer,
    private readonly rpcClient: RpcClient,
    @Inject(WARREN_RESOLVED_OPTIONS) private readonly options: ResolvedWarrenOptions,
    logger: WarrenLogger,
    @Optional() private readonly observers?: MessageObservers,
  ) {
    const { redact } = options;
    // A wrapper of this instance's own: two Warrens given the same function each remove only theirs.
    this.removeRedactor = redact ? addRedactor((text) => redact(text)) : () => undefined;
    this.logger = logger.child('Warren');
    this.consumerConnections = new ConsumerConnections(connection);
    this.consumerPublisher = new ConsumerPublisher(connection);
    this.validator = options.validation === false ? undefined : new PayloadValidator(options.validation);
    // Consumers report pauses by cause (a user's pause, a circuit breaker); applications hear them
    // through WarrenStatus.on with the connection's events.
    this.consumerEvents.on('consumer-paused', (event) => connection.events.emit('consumer-paused', event));
    this.consumerEvents.on('consumer-resumed', (event) => connection.events.emit('consumer-resumed', event));
  }

  async onModuleInit(): Promise<void> {
    try {
      this.registerHandlers();
    } catch (error) {
      await this.closeAll(); // Nest runs no shutdown hooks after a failed init
      throw error;
    }
  }

  private registerHandlers(): void {
    if (!this.options.handling.registerHandlers) {
      this.logger.log(MESSAGES.handlersNotRegistered);
      return;
    }
    // Each connection consumes for its own handlers; those that name none belong to the default one.
    const mine = this.explorer.explore().filter((handler) => (handler.options.connection ?? 'default') === this.options.name);
    const handlers = applyNamedHandlerOptions(mine, this.options);
    this.consumers = this.consumersFor(handlers);
    this.handlers = handlers;
  }

  /** How long a consumer may take to declare, bind and consume. */
  private get startTimeoutMs(): number {
    return Math.max(this.options.connection.connectTimeoutMs, MIN_START_TIMEOUT_MS);
  }

  /** One consumer per queue for `handlers` (logged as registered); nothing is started yet. */
  private consumersFor(handlers: HandlerDefinition[]): QueueConsumer[] {
    const consumers = groupByQueue(handlers, this.logger).map((group) => this.consumerFor(group));
    for (const handler of handlers) {
      this.logger.log(MESSAGES.handlerRegistered(handler.name, handler.options.type, describeHandlerTarget(handler)));
    }
    return consumers;
  }

  private consumerFor(group: QueueGroup): QueueConsumer {
    const { handling, serializer, maxMessageBytes, retry } = this.options;
    const rpcOnly = group.handlers.every((handler) => handler.options.type === 'rpc');
    const prefetch = batchPrefetch(group.handlers, prefetchOf(group.handlers[0], this.options, this.logger, rpcOnly), this.logger);
    const kind = queueKindOf(group.handlers, group.queue, this.options.queues, this.connection.capabilities);
    for (const warning of checkQueueForBroker(group.handlers, group.queue, this.connection.capabilities)) this.logger.warn(warning);
    const dispatcher = new MessageDispatcher(group.queue ?? '(server-named)', group.handlers, this.validator, handling.deserializer, handling.format);
    const { flows, autoAck } = flowOptionsOf(group.queue ?? '(server-named)', group.handlers, this.logger);
    return new QueueConsumer(
      {
        queue: group.queue,
        prefetch,
        maxMessageBytes,
        maxInFlightBytes: maxInFlightBytesOf(group.handlers, this.options),
        retry,
        handling,
        serializer,
        declare: this.options.topology.mode === 'assert',
        kind,
        observers: this.observers,
        replyToAllowed: replyToPolicy(this.options.rpcAllowedReplyTo),
        publisher: this.consumerPublisher,
        flows,
        autoAck,
        events: this.consumerEvents,
      },
      dispatcher,
      this.logger.child('Warren:Consumer'),
    );
  }

  /**
   * Starts consuming for handlers given at run time (one consumer per queue); they drain and close
   * with the others. All or nothing: when one cannot start, those of this call are closed and
   * forgotten (deliveries they took go back to the broker) and the error says which queue failed.
   */
  async addConsumers(handlers: HandlerDefinition[]): Promise<QueueConsumer[]> {
    const added = this.consumersFor(handlers);
    this.consumers.push(...added);
    try {
      await this.start(added);
    } catch (error) {
      this.consumers = this.consumers.filter((consumer) => !added.includes(consumer));
      await Promise.all(added.map((consumer) => consumer.close().catch(() => undefined)));
      throw error;
    }
    return added;
  }

  /** Starts consumers, each on a channel of its own, spread over as many connections as channels require. */
  private async start(consumers: QueueConsumer[]): Promise<void> {
    if (consumers.length === 0) return;
    // Open before the first delivery, so none of its publishes goes on a consumer channel.
    await this.consumerPublisher.open(this.startTimeoutMs);
    const placed: Array<[QueueConsumer, BrokerConnection]> = [];
    for (const consumer of consumers) placed.push([consumer, await this.consumerConnections.next()]);
    await startConsumers(placed, this.startTimeoutMs, START_CONCURRENCY);
  }

  /** This Warren's events, for its parts to report through (`WarrenStatus.on` is where applications listen). */
  get events(): WarrenEvents {
    return this.connection.events;
  }

  /** Consumers by queue, for pausing and resuming them. */
  get queueConsumers(): readonly QueueConsumer[] {
    return this.consumers;
  }

  async onApplicationBootstrap(): Promise<void> {
    if (this.options.topology.mode === 'check') {
      try {
        await checkTopology(this.connection, requiredTopology(this.options, this.handlers));
      } catch (error) {
        await this.closeAll();
        throw error;
      }
    }
    try {
      await this.start(this.consumers);
    } catch (error) {
      // Leave nothing running behind a failed start: the process must be able to exit.
      await this.closeAll();
      throw error;
    }
    if (this.consumerConnections.count > 0) this.logger.log(MESSAGES.consumerConnections(this.consumers.length, this.consumerConnections.count + 1));
  }

  beforeApplicationShutdown(): Promise<void> {
    this.drained ??= this.drain();
    return this.drained;
  }

  async onApplicationShutdown(): Promise<void> {
    await this.beforeApplicationShutdown();
    await this.closeAll();
  }

  private async drain(): Promise<void> {
    const started = Date.now();
    const deadline = started + this.options.drainTimeoutMs;
    await Promise.all(this.consumers.map((consumer) => consumer.cancel()));
    const inFlight = this.consumers.reduce((sum, consumer) => sum + consumer.inFlightCount, 0);
    if (inFlight > 0) this.logger.log(MESSAGES.drainStarted(inFlight, this.options.drainTimeoutMs));
    const requeued = (await Promise.all(this.consumers.map((consumer) => consumer.drain(deadline)))).reduce((a, b) => a + b, 0);
    if (requeued > 0) this.logger.warn(MESSAGES.drainTimedOut(requeued));
    await this.producer.flushPending(deadline);
    await this.rpcClient.close();
    if (inFlight > 0) this.logger.log(MESSAGES.drainDone(Date.now() - started));
  }

  private async closeAll(): Promise<void> {
    try {
      await Promise.all(this.consumers.map((consumer) => consumer.close()));
      await this.producer.close();
      await this.rpcClient.close();
      await this.consumerConnections.close();
      await this.connection.close();
    } finally {
      this.removeRedactor();
    }
    await Promise.all(this.consumers.map((consumer) => consumer.close()));
    await this.consumerPublisher.close();
    await this.producer.close();
    await this.rpcClient.close();
    await this.consumerConnections.close();
    await this.connection.close();
  }
}
