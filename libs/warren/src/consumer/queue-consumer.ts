import type { Channel, ConfirmChannel, ConsumeMessage } from 'amqplib';
import type { BrokerConnection } from '../connection/broker-connection';
import type { ManagedChannel } from '../connection/managed-channel';
import { WarrenConfigurationError } from '../errors/configuration.error';
import { MessageTooLargeError } from '../errors/message-too-large.error';
import type { RetryOptions } from '../interfaces';
import type { WarrenLogger } from '../logging/warren-logger';
import { HeaderTemplates } from '../outgoing/header-templates';
import { sendErrorReply, sendReply } from '../rpc/rpc-reply';
import { ReplyStream, streamAnswer } from '../rpc/reply-stream';
import { MESSAGES } from '../warren.messages';
import { AckBatcher } from './ack-batcher';
import { DeliveryForwarder } from './delivery-forwarder';
import type { ConsumerPublisher } from './consumer-publisher';
import type { HandlerDefinition } from './handler-definition';
import { HandlerPolicy, handlerPolicy, retriesInPlace } from './handler-policy';
import type { MessageDispatcher } from './message-dispatcher';
import { declareQueue, declareRetryTopology } from './queue-topology';
import type { QueueKind } from './queue-type';
import type { MessageObservers } from '../observers/message-observers';
import { errorMessage } from './redelivery';
import { RetryPath } from './delivery-origin';
import { RpcAdmission } from './rpc-admission';
import type { ReplyToPolicy } from '../rpc/reply-to-policy';
import { isNack, nackSettlement, userFailureSettlement } from './user-settlement';
import { Delivery, DeliverySettlement } from './delivery-settlement';
import { BatchRunner } from './batch-runner';
import { InFlightBudget } from './in-flight-budget';
import { LegacyLimits } from './legacy-limits';
import { Subscription, consumerTagFor } from './subscription';
import { DEFAULT_MAX_IN_FLIGHT_BYTES } from '../warren.constants';
import { markFailed, withProcessSpan } from '../tracing/warren-tracing';
import { observe } from '../tracing/warren-metrics';
import type { ResolvedWarrenOptions } from '../warren-options';


/** What a consumer was built from, as the AsyncAPI document reads it (nothing here is re-derived). */
export interface ConsumerPlan {
  /** The configured name; undefined for a server-named queue. */
  queue?: string;
  kind: QueueKind;
  /** False in topology 'check' mode. */
  declare: boolean;
  retry: RetryOptions | false | undefined;
  handlers: readonly HandlerDefinition[];
}

export interface QueueConsumerOptions {
  queue?: string;
  prefetch: number;
  maxMessageBytes: number;
  /** Bytes of deliveries held before it stops taking more (see `consumer.maxInFlightBytes`). @default 64 MiB */
  maxInFlightBytes?: number;
  retry: RetryOptions | false | undefined;
  handling: ResolvedWarrenOptions['handling'];
  serializer?: ResolvedWarrenOptions['serializer'];
  /** False in topology 'check' mode: queues are only checked, nothing is declared or bound. */
  declare?: boolean;
  /** Classic or quorum (with its delivery limit); companions follow it. @default classic */
  kind?: QueueKind;
  observers?: MessageObservers;
  /** The reply queues RPC handlers answer (the module's `rpc.allowedReplyTo` on top of the safe ones). */
  replyToAllowed?: ReplyToPolicy;
  /** Publishes forwards and RPC replies on the publishing connection; without it, on the consumer's channel. */
  publisher?: ConsumerPublisher;
}

/**
 * Consumes one queue on a channel of its own: declares and binds it (with its retry and
 * dead-letter queues), consumes with manual ack under a fixed consumer tag (so shutdown can
 * cancel it), and settles every delivery exactly once: ack after the handler returned (and the
 * RPC reply went out); on failure, a retry copy or a dead letter is confirmed first and then the
 * original acked; returned unprocessed (`basic.nack`) when shutdown gave up waiting. Nothing is settled on a channel that died.
 */
export class QueueConsumer {
  private managed?: ManagedChannel;
  private readonly inFlight = new Set<Delivery>();
  private readonly policies = new Map<HandlerDefinition, HandlerPolicy>();
  private readonly forwarder = new DeliveryForwarder();
  private readonly headerTemplates = new HeaderTemplates();
  private readonly settlement: DeliverySettlement;
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
  /** Only a queue with RPC handlers answers a request no handler matched (with NO_HANDLER). */
  private readonly servesRpc: boolean;
  private readonly admission: RpcAdmission;
  /** Queues an earlier Warren declared without `x-delivery-limit: -1` are declared as they exist. */
  private limits?: LegacyLimits;

  constructor(
    private readonly options: QueueConsumerOptions,
    private readonly dispatcher: MessageDispatcher,
    private readonly logger: WarrenLogger,
  ) {
    this.queueName = options.queue ?? '(server-named)';
    this.confirming = dispatcher.handlers.some((handler) => handler.options.type === 'subscribe');
    this.servesRpc = dispatcher.handlers.some((handler) => handler.options.type === 'rpc');
    this.admission = new RpcAdmission(() => this.queueName, options.replyToAllowed, logger);
    this.settlement = new DeliverySettlement({
      queueName: () => this.queueName,
      isLive: (channel) => this.managed?.isLive(channel) ?? false,
      policies: this.policies,
      forwarder: options.publisher?.forwarding(this.forwarder) ?? this.forwarder,
      confirming: this.confirming,
      logger,
      observers: options.observers,
    });
    this.batches = new BatchRunner(dispatcher, this.settlement, options.handling, logger);
    // Over its byte budget it stops taking deliveries; back under, it takes them again. Out of room, partial batches go now.
    const overBudget = (exceeded: boolean) => {
      if (exceeded) logger.debug(MESSAGES.consumerOverBudget(this.queueName, this.budget.heldBytes, this.budget.limit));
      this.subscription.sync(this.managed?.channel).catch((error: Error) => this.settlement.notSettled(error));
    };
    this.budget = new InFlightBudget(options.maxInFlightBytes ?? DEFAULT_MAX_IN_FLIGHT_BYTES, overBudget, () => this.batches.flushAll());
    const tag = consumerTagFor(options.queue, dispatcher.handlers);
    const window = () => this.budget.window(options.prefetch);
    this.subscription = new Subscription(tag, () => this.budget.exceeded, window, (channel, prefetch) => this.consume(channel as ConfirmChannel, prefetch));
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
    return new Promise((resolve, reject) => {
      let settled = false;
      const fail = (error: Error) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        void this.close();
        reject(error);
      };
      const timer = setTimeout(
        () => fail(new WarrenConfigurationError(MESSAGES.handlerStartTimeout(this.handlerNames, this.queueName, timeoutMs))),
        timeoutMs,
      );
      this.managed = connection.openChannel(
        // A confirm channel: a retry or dead letter is confirmed before the original is acked.
        { name: `consumer:${this.queueName}`, confirm: this.confirming, setup: (channel) => this.setup(channel as ConfirmChannel) },
        {
          opened: () => {
            if (settled) return;
            settled = true;
            clearTimeout(timer);
            resolve();
          },
          lost: (channel) => {
            for (const delivery of this.inFlight) {
              if (delivery.channel === channel) delivery.abort?.abort(new Error("This delivery's channel was lost; the broker will redeliver it"));
            }
          },
          setupFailed: (error) =>
            fail(new WarrenConfigurationError(MESSAGES.handlerStartFailed(this.handlerNames, `'${this.queueName}'`, error.message))),
        },
      );
    });
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
    let requeued = 0;
    for (const delivery of this.inFlight) {
      this.settlement.settle(delivery, 'return');
      delivery.abandoned = true;
      delivery.abort?.abort(new Error('Warren stopped waiting for this handler: the shutdown drain deadline passed'));
      requeued++;
    }
    return requeued;
  }

  async close(): Promise<void> {
    this.unobserve?.();
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
      noAck: false,
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
    return channel !== undefined && this.managed?.channel === channel && this.managed.isLive(channel) && !this.subscription.paused && !this.subscription.cancelled;
  }

  get isPaused(): boolean {
    return this.subscription.paused;
  }

  /** Stops deliveries until `resume()`, across reconnects too. In-flight messages still finish. */
  pause(): Promise<void> {
    this.subscribedOn = undefined;
    return this.subscription.pause(this.managed?.channel);
  }

  resume(): Promise<void> {
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
    acks.received(message.fields.deliveryTag);
    const delivery: Delivery = { message, origin: this.retryPath!.originOf(message), channel, acks, abandoned: false, abort: undefined, handler: undefined, error: undefined, forwardedAs: undefined, reported: false };
    if (this.subscription.cancelled) {
      this.settlement.settle(delivery, 'return');
      return;
    }
    this.inFlight.add(delivery);
    const bytes = message.content.length;
    // An over-size body is only parked (header-only) or refused: that need not wait for room.
    this.budget.enter(bytes, () => this.run(delivery, bytes), bytes > this.options.maxMessageBytes);
    // Subscribed with a smaller prefetch after large deliveries: a full window of small ones takes it back.
    if (this.budget.roomFor(this.options.prefetch)) this.subscription.widen(channel, this.options.prefetch);
  }

  private run(delivery: Delivery, bytes: number): void {
    // One that waited for room on a channel that died since is the broker's again: it redelivers it.
    const handled = this.settlement.owns(delivery) ? withProcessSpan(this.queueName, delivery.message, () => this.handle(delivery)) : Promise.resolve();
    void handled.finally(() => {
      this.inFlight.delete(delivery);
      this.budget.leave(bytes);
      if (this.inFlight.size === 0) this.onIdle?.();
    });
  }

  private async handle(delivery: Delivery): Promise<void> {
    const { message, channel } = delivery;
    const handler = this.dispatcher.route(delivery.origin.routingKey);
    delivery.handler = handler?.name;
    if (handler?.wantsSignal) delivery.abort = new AbortController();
    const replyTo = message.properties.replyTo as string | undefined;
    const isRpc = handler ? handler.options.type === 'rpc' : this.servesRpc && Boolean(replyTo);
    if (isRpc && !this.admission.admits(message, replyTo)) return this.settlement.settle(delivery, 'ack');
    // Replies (a stream's values too, so their order holds) go on the publishing connection: an alarm
    // that blocks them never blocks this channel's acks.
    const replyChannel = (): Channel => this.options.publisher?.replyChannel(channel) ?? channel;
    if (handler?.options.batchOptions && !isRpc && message.content.length <= this.options.maxMessageBytes) {
      return this.batches.add(handler, delivery);
    }
    try {
      if (message.content.length > this.options.maxMessageBytes) {
        throw new MessageTooLargeError(message.content.length, this.options.maxMessageBytes);
      }
      const answer = await this.dispatcher.dispatch(handler, message, delivery.abort?.signal);
      // A streamed answer (WarrenServer, for a caller that takes one): its earlier values go out as they come.
      const result = answer instanceof ReplyStream ? await streamAnswer(answer, replyChannel(), message, () => isRpc && Boolean(replyTo) && this.settlement.owns(delivery), { serializer: this.options.serializer, persistent: handler?.options.usePersistentReplyTo }) : answer;
      if (isNack(result)) return await this.settlement.settleAsAsked(delivery, handler, nackSettlement(result), new Error('the handler returned a Nack'));
      if (!isRpc && result !== undefined && handler) this.logger.warn(MESSAGES.subscriberReturnedValue(handler.name));
      if (isRpc && replyTo && this.settlement.owns(delivery)) {
        const persistent = handler?.options.usePersistentReplyTo ?? false;
        const notEncodable = sendReply(replyChannel(), message, result, { serializer: this.options.serializer, persistent, headerTemplates: this.headerTemplates });
        if (notEncodable) this.logger.warn(MESSAGES.replyNotEncodable(handler?.name ?? this.queueName, notEncodable.message));
      }
      this.settlement.settle(delivery, 'ack');
    } catch (error) {
      delivery.error = error;
      markFailed(error, message);
      const name = handler?.name ?? `queue '${this.queueName}'`;
      const asked = userFailureSettlement(handler?.options, this.options.handling);
      if (asked) {
        this.logger.warn(MESSAGES.handlerFailedUserSettles(name, errorMessage(error)));
        await this.settlement.settleAsAsked(delivery, handler, asked, error);
      } else if (isRpc && replyTo) {
        // RPC handlers are not retried: the caller gets the error at once.
        this.logger.warn(MESSAGES.rpcFailed(name, errorMessage(error)));
        if (this.settlement.owns(delivery)) this.settlement.safely(() => sendErrorReply(replyChannel(), message, error));
        this.settlement.settle(delivery, 'ack');
      } else {
        await this.settlement.onFailure(delivery, handler, name, error);
      }
    }
  }
}
