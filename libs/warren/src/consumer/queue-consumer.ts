import type { ConfirmChannel, ConsumeMessage } from 'amqplib';
import type { BrokerConnection } from '../connection/broker-connection';
import type { ManagedChannel } from '../connection/managed-channel';
import { WarrenConfigurationError } from '../errors/configuration.error';
import type { WarrenLogger } from '../logging/warren-logger';
import { MESSAGES } from '../warren.messages';
import { AckBatcher } from './ack-batcher';
import { DeliveryForwarder } from './delivery-forwarder';
import type { HandlerDefinition } from './handler-definition';
import { HandlerPolicy, handlerPolicy, retriesInPlace } from './handler-policy';
import type { MessageDispatcher } from './message-dispatcher';
import { declareQueue, declareRetryTopology } from './queue-topology';
import { RetryPath } from './delivery-origin';
import { RpcAdmission } from './rpc-admission';
import { Delivery, DeliverySettlement } from './delivery-settlement';
import { BatchRunner } from './batch-runner';
import { InFlightBudget } from './in-flight-budget';
import { LegacyLimits } from './legacy-limits';
import { Subscription, consumerTagFor } from './subscription';
import { DEFAULT_MAX_IN_FLIGHT_BYTES } from '../warren.constants';
import { withProcessSpan } from '../tracing/warren-tracing';
import { observe } from '../tracing/warren-metrics';
import type { ConsumerPlan, QueueConsumerOptions } from './queue-consumer-options';
import { openConsumerChannel } from './consumer-channel';
import { DeliveryHandler } from './delivery-handler';
import { FlowControl } from './flow-control';
import type { CircuitBreakerState, PauseCause } from './warren-consumers';

export type { ConsumerPlan, QueueConsumerOptions } from './queue-consumer-options';

/**
 * Consumes one queue on a channel of its own: declares and binds it (with its retry and
 * dead-letter queues), consumes with manual ack (noAck for `ack: 'auto'`) under a fixed consumer
 * tag (so shutdown can cancel it), and settles every delivery exactly once: ack after the handler
 * returned (and the RPC reply went out); on failure, a retry copy or a dead letter is confirmed
 * first and then the original acked; returned unprocessed (`basic.nack`) when shutdown gave up waiting. Nothing is settled on
 * a channel that died. It stops consuming while paused, over its byte budget, or while a handler's
 * circuit breaker is open; handling one delivery is DeliveryHandler's, flow control FlowControl's.
 */
export class QueueConsumer {
  private managed?: ManagedChannel;
  /** Queues an earlier Warren declared without `x-delivery-limit: -1` are declared as they exist. */
  private limits?: LegacyLimits;
  private readonly inFlight = new Set<Delivery>();
  private readonly policies = new Map<HandlerDefinition, HandlerPolicy>();
  private readonly forwarder = new DeliveryForwarder();
  private readonly settlement: DeliverySettlement;
  private readonly flow: FlowControl;
  private readonly handler: DeliveryHandler;
  /** noAck only: holding `prefetch` deliveries, it stops consuming until it is down to half (the broker's prefetch does not apply). */
  private autoAckFull = false;
  private readonly batches: BatchRunner;
  private readonly budget: InFlightBudget;
  private readonly subscription: Subscription;
  private unobserve?: () => void;
  /** The current channel's acks; flushed before Warren closes a channel. */
  private acks?: AckBatcher;
  private onIdle?: () => void;
  /** The channel whose basic.consume-ok arrived (cleared when the broker cancels the consumer). */
  private subscribedOn?: ConfirmChannel;
  private queueName: string;
  /** Tells Warren's own retries from fresh deliveries; made with each channel (the name may change). */
  private retryPath?: RetryPath;
  /**
   * Subscribers forward retries and dead letters, which must be confirmed before the original is
   * acked: their channel is a confirm channel. An RPC-only queue never forwards, and without
   * confirms its replies cost the broker (and this process) one frame less each.
   */
  private readonly confirming: boolean;

  constructor(
    private readonly options: QueueConsumerOptions,
    private readonly dispatcher: MessageDispatcher,
    private readonly logger: WarrenLogger,
  ) {
    this.queueName = options.queue ?? '(server-named)';
    this.confirming = dispatcher.handlers.some((handler) => handler.options.type === 'subscribe');
    const [autoAck, queueName] = [options.autoAck === true, () => this.queueName];
    this.settlement = new DeliverySettlement({
      ...{ queueName, isLive: (channel) => this.managed?.isLive(channel) ?? false, policies: this.policies, confirming: this.confirming },
      ...{ forwarder: options.publisher?.forwarding(this.forwarder) ?? this.forwarder, logger, observers: options.observers, autoAck },
    });
    this.batches = new BatchRunner(dispatcher, this.settlement, options.handling, logger);
    this.flow = new FlowControl(options.flows ?? new Map(), { queueName, logger, events: options.events, autoAck, changed: (widen) => this.follow(widen) });
    this.handler = new DeliveryHandler({
      ...{ queueName, dispatcher, settlement: this.settlement, batches: this.batches, flow: this.flow, logger, publisher: options.publisher },
      ...{ maxMessageBytes: options.maxMessageBytes, handling: options.handling, serializer: options.serializer },
      admission: new RpcAdmission(queueName, options.replyToAllowed, logger),
      servesRpc: dispatcher.handlers.some((handler) => handler.options.type === 'rpc'),
    });
    // Over its byte budget it stops taking deliveries; back under, it takes them again. Out of room, partial batches go now.
    const overBudget = (exceeded: boolean) => {
      if (exceeded) logger.debug(MESSAGES.consumerOverBudget(this.queueName, this.budget.heldBytes, this.budget.limit));
      this.follow(false);
    };
    this.budget = new InFlightBudget(options.maxInFlightBytes ?? DEFAULT_MAX_IN_FLIGHT_BYTES, overBudget, () => this.batches.flushAll());
    const tag = consumerTagFor(options.queue, dispatcher.handlers);
    // A half-open circuit breaker's trial takes only a few deliveries.
    const window = () => Math.min(this.budget.window(options.prefetch), this.flow.trialWindow ?? Infinity);
    const held = () => this.budget.exceeded || this.flow.stopped || this.autoAckFull;
    this.subscription = new Subscription(tag, held, window, (channel, prefetch) => this.consume(channel as ConfirmChannel, prefetch));
  }

  /** Subscribes or cancels as the reasons to stop say now; `widen`: with the full prefetch again. */
  private follow(widen: boolean): void {
    const channel = this.managed?.channel;
    this.subscription.sync(channel).catch((error: Error) => this.settlement.notSettled(error));
    if (widen && channel) this.subscription.widen(channel, this.options.prefetch);
  }

  /** noAck: stop consuming at `prefetch` deliveries held, start again at half of it. */
  private checkAutoAckRoom(): void {
    if (!this.options.autoAck) return;
    const full = this.autoAckFull ? this.inFlight.size > Math.floor(this.options.prefetch / 2) : this.inFlight.size >= this.options.prefetch;
    if (full === this.autoAckFull) return;
    this.autoAckFull = full;
    this.follow(false);
  }

  get plan(): ConsumerPlan {
    const { queue, kind = { type: 'classic' }, declare, retry } = this.options;
    return { queue, kind, declare: declare !== false, retry, handlers: this.dispatcher.handlers };
  }

  get handlerNames(): string {
    return this.dispatcher.handlers.map((h) => h.name).join(', ');
  }

  get inFlightCount(): number {
    return this.inFlight.size;
  }

  /** Resolves once the queue is declared, bound and consumed; rejects on the first failure. */
  start(connection: BrokerConnection, timeoutMs: number): Promise<void> {
    this.unobserve ??= observe({ gauge: 'in_flight', name: this.options.queue ?? '(server-named)', read: () => this.inFlight.size });
    this.limits ??= new LegacyLimits(() => connection.currentConnection?.createChannel(), connection.capabilities.label, this.logger);
    const { managed, ready } = openConsumerChannel(connection, timeoutMs, {
      // A confirm channel: a retry or dead letter is confirmed before the original is acked.
      ...{ name: `consumer:${this.queueName}`, confirm: this.confirming, setup: (channel) => this.setup(channel as ConfirmChannel) },
      lost: (channel) => {
        if (this.options.autoAck) return; // noAck: the broker will not send them again; they are still ours to finish
        for (const delivery of this.inFlight) {
          if (delivery.channel === channel) delivery.abort?.abort(new Error("This delivery's channel was lost; the broker will redeliver it"));
        }
      },
      timedOut: () => new WarrenConfigurationError(MESSAGES.handlerStartTimeout(this.handlerNames, this.queueName, timeoutMs)),
      failed: (error) => new WarrenConfigurationError(MESSAGES.handlerStartFailed(this.handlerNames, `'${this.queueName}'`, error.message)),
      abandon: () => void this.close(),
    });
    this.managed = managed;
    return ready;
  }

  /** Stops deliveries: the broker is told to cancel this consumer. In-flight handlers carry on. */
  async cancel(): Promise<void> {
    const cancelled = this.subscription.cancel(this.managed?.channel);
    this.batches.flushAll(); // partial batches are handled now, within the drain
    await cancelled;
  }

  /** Waits for in-flight handlers until `deadline`; returns unfinished ones to the queue. */
  async drain(deadline: number): Promise<number> {
    if (this.inFlight.size > 0) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.max(0, deadline - Date.now()));
        this.onIdle = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
    let unfinished = 0;
    for (const delivery of this.inFlight) {
      // One settled already (at its handler's deadline) is not counted, nor returned twice.
      if (!this.settlement.owns(delivery)) continue;
      if (!this.options.autoAck) this.settlement.settle(delivery, 'return');
      delivery.abandoned = true;
      delivery.abort?.abort(new Error('Warren stopped waiting for this handler: the shutdown drain deadline passed'));
      unfinished++;
    }
    if (this.options.autoAck && unfinished > 0) this.logger.warn(MESSAGES.autoAckNotReturned(this.queueName, unfinished));
    return this.options.autoAck ? 0 : unfinished; // with noAck, none could go back
  }

  async close(): Promise<void> {
    this.unobserve?.();
    this.flow.close();
    this.acks?.flush();
    await this.managed?.close();
  }

  private async setup(channel: ConfirmChannel): Promise<void> {
    const handlers = this.dispatcher.handlers;
    const { queue, retry, kind } = this.options;
    const declare = this.options.declare !== false;
    // A named queue's policies are known before it is declared: a quorum queue parks at its delivery limit.
    const parking = queue === undefined ? undefined : handlers.map((h) => handlerPolicy(h, queue, true, retry).deadLetterQueue).find((q) => q !== undefined);
    const name = await declareQueue(channel, queue, handlers, declare, kind, parking, this.limits?.fit);
    this.queueName = name;
    for (const handler of handlers) this.policies.set(handler, handlerPolicy(handler, name, queue !== undefined, retry));
    if (declare) await declareRetryTopology(channel, name, [...this.policies.values()], kind, this.limits?.fit);
    this.retryPath = new RetryPath(name, retriesInPlace([...this.policies.values()]));
    if (this.confirming) this.forwarder.attach(channel);
    this.acks = new AckBatcher(channel, () => this.managed?.isLive(channel) ?? false, (error) => this.settlement.notSettled(error));
    // A reconnect during shutdown, of a paused consumer or of one over its budget does not consume (yet).
    await this.subscription.sync(channel);
  }

  /** Subscribes with `prefetch`: the configured one, or fewer after large deliveries (see InFlightBudget.window). */
  private async consume(channel: ConfirmChannel, prefetch: number): Promise<void> {
    const consumerOptions = this.dispatcher.handlers[0].options.queueOptions?.consumerOptions;
    const acks = this.acks!;
    await channel.prefetch(prefetch);
    await channel.consume(this.queueName, (message) => this.onMessage(channel, acks, message), {
      ...consumerOptions,
      consumerTag: this.subscription.tag,
      noAck: this.options.autoAck === true, // never silently changed: golevelup's noAck: true means autoAck
    });
    this.subscribedOn = channel;
  }

  /** The tag this consumer subscribes under (kept across reconnects, pauses and resumes). */
  get tag(): string {
    return this.subscription.tag;
  }

  /** The queue's current name (the server's, for a server-named queue). */
  get queue(): string {
    return this.queueName;
  }

  /** Consuming right now, as the broker sees it: subscribed on the open channel, neither paused nor cancelled. */
  get isAttached(): boolean {
    const channel = this.subscribedOn;
    return channel !== undefined && this.managed?.channel === channel && this.managed.isLive(channel) && !this.pausedBy.length && !this.subscription.cancelled;
  }

  /** Why it does not consume on purpose: `pause()`, an open circuit breaker (empty: it consumes). */
  get pausedBy(): PauseCause[] {
    const causes: PauseCause[] = this.subscription.paused ? ['user'] : [];
    if (this.flow.stopped) causes.push('circuit-breaker');
    return causes;
  }

  get circuitBreakers(): CircuitBreakerState[] | undefined {
    return this.flow.states;
  }

  /** Stops deliveries until `resume()`, across reconnects too. In-flight messages still finish. */
  pause(): Promise<void> {
    this.subscribedOn = undefined;
    if (!this.subscription.paused) this.options.events?.emit('consumer-paused', { queue: this.queueName, cause: 'user' });
    return this.subscription.pause(this.managed?.channel);
  }

  resume(): Promise<void> {
    if (this.subscription.paused && !this.subscription.cancelled) this.options.events?.emit('consumer-resumed', { queue: this.queueName, cause: 'user' });
    return this.subscription.resume(this.managed?.channel); // without a channel, the next setup consumes
  }

  private onMessage(channel: ConfirmChannel, acks: AckBatcher, message: ConsumeMessage | null): void {
    if (message === null) {
      // The broker cancelled us (queue deleted): a fresh channel re-declares and re-subscribes.
      this.logger.warn(MESSAGES.consumerCancelledByBroker(this.queueName));
      if (this.subscribedOn === channel) this.subscribedOn = undefined;
      acks.flush();
      channel.close().catch(() => undefined);
      return;
    }
    if (!this.options.autoAck) acks.received(message.fields.deliveryTag); // with noAck nothing is acked
    const delivery: Delivery = { message, origin: this.retryPath!.originOf(message), channel, acks, abandoned: false, abort: undefined, handler: undefined, error: undefined, forwardedAs: undefined, reported: false };
    if (this.subscription.cancelled && !this.options.autoAck) {
      this.settlement.settle(delivery, 'return');
      return;
    }
    this.inFlight.add(delivery);
    this.checkAutoAckRoom();
    const bytes = message.content.length;
    // An over-size body is only parked (header-only) or refused: that need not wait for room.
    this.budget.enter(bytes, () => this.run(delivery, bytes), bytes > this.options.maxMessageBytes);
    // Subscribed with a smaller prefetch after large deliveries: a full window of small ones takes it back.
    if (this.budget.roomFor(this.options.prefetch) && !this.flow.halfOpen) this.subscription.widen(channel, this.options.prefetch);
  }

  private run(delivery: Delivery, bytes: number): void {
    // One that waited for room on a channel that died since is the broker's again: it redelivers it.
    const handled = this.settlement.owns(delivery) ? withProcessSpan(this.queueName, delivery.message, () => this.handler.handle(delivery)) : Promise.resolve();
    // A handler past its deadline holds its body (and its slot) until it really returns.
    void handled.then(() => delivery.running).finally(() => {
      this.inFlight.delete(delivery);
      this.budget.leave(bytes);
      this.checkAutoAckRoom();
      if (this.inFlight.size === 0) this.onIdle?.();
    });
  }
}
