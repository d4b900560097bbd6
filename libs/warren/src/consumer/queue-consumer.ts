import { randomBytes } from 'crypto';
import { hostname } from 'os';
import type { Channel, ConsumeMessage } from 'amqplib';
import type { BrokerConnection } from '../connection/broker-connection';
import type { ManagedChannel } from '../connection/managed-channel';
import { WarrenConfigurationError } from '../errors/configuration.error';
import { WarrenError } from '../errors/warren.error';
import type { WarrenLogger } from '../logging/warren-logger';
import { sendErrorReply, sendReply } from '../rpc/rpc-reply';
import { MESSAGES } from '../warren.messages';
import type { MessageDispatcher } from './message-dispatcher';
import { declareQueue } from './queue-topology';

interface Delivery {
  message: ConsumeMessage;
  channel: Channel;
  /** Given back to the queue at the drain deadline; the handler's late outcome is ignored. */
  abandoned: boolean;
}

/**
 * Consumes one queue on a channel of its own: declares and binds it, consumes with manual ack
 * under a fixed consumer tag (so shutdown can cancel it), and settles every delivery exactly
 * once: ack after the handler returned (and the RPC reply was sent), reject without requeue when
 * it failed, requeue when shutdown gave up waiting. Nothing is settled on a channel that died.
 */
export class QueueConsumer {
  private managed?: ManagedChannel;
  private readonly consumerTag: string;
  private readonly inFlight = new Set<Delivery>();
  private onIdle?: () => void;
  private cancelled = false;
  private queueName: string;

  constructor(
    private readonly queue: string | undefined,
    private readonly prefetch: number,
    private readonly dispatcher: MessageDispatcher,
    private readonly logger: WarrenLogger,
  ) {
    this.queueName = queue ?? '(server-named)';
    const label = (queue ?? 'anon').replace(/[^\w.-]/g, '_').slice(0, 60);
    this.consumerTag = `warren.${hostname()}.${process.pid}.${label}.${randomBytes(4).toString('hex')}`;
  }

  get handlerNames(): string {
    return this.dispatcher.handlers.map((h) => h.name).join(', ');
  }

  get inFlightCount(): number {
    return this.inFlight.size;
  }

  /** Resolves once the queue is declared, bound and consumed; rejects on the first failure. */
  start(connection: BrokerConnection, timeoutMs: number): Promise<void> {
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
        { name: `consumer:${this.queueName}`, confirm: false, setup: (channel) => this.setup(channel) },
        {
          opened: () => {
            if (settled) return;
            settled = true;
            clearTimeout(timer);
            resolve();
          },
          setupFailed: (error) =>
            fail(new WarrenConfigurationError(MESSAGES.handlerStartFailed(this.handlerNames, `'${this.queueName}'`, error.message))),
        },
      );
    });
  }

  /** Stops deliveries: the broker is told to cancel this consumer. In-flight handlers carry on. */
  async cancel(): Promise<void> {
    this.cancelled = true;
    const channel = this.managed?.channel;
    if (channel) await channel.cancel(this.consumerTag).catch(() => undefined);
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
      this.settle(delivery, 'requeue');
      delivery.abandoned = true;
      requeued++;
    }
    return requeued;
  }

  async close(): Promise<void> {
    await this.managed?.close();
  }

  private async setup(channel: Channel): Promise<void> {
    await channel.prefetch(this.prefetch);
    const name = await declareQueue(channel, this.queue, this.dispatcher.handlers);
    this.queueName = name;
    if (this.cancelled) return; // a reconnect during shutdown must not start consuming again
    const consumerOptions = this.dispatcher.handlers[0].options.queueOptions?.consumerOptions;
    await channel.consume(name, (message) => this.onMessage(channel, message), {
      ...consumerOptions,
      consumerTag: this.consumerTag,
      noAck: false,
    });
  }

  private onMessage(channel: Channel, message: ConsumeMessage | null): void {
    if (message === null) {
      // The broker cancelled us (queue deleted): a fresh channel re-declares and re-subscribes.
      this.logger.warn(MESSAGES.consumerCancelledByBroker(this.queueName));
      channel.close().catch(() => undefined);
      return;
    }
    const delivery: Delivery = { message, channel, abandoned: false };
    if (this.cancelled) {
      this.settle(delivery, 'requeue');
      return;
    }
    this.inFlight.add(delivery);
    void this.handle(delivery).finally(() => {
      this.inFlight.delete(delivery);
      if (this.inFlight.size === 0) this.onIdle?.();
    });
  }

  private async handle(delivery: Delivery): Promise<void> {
    const { message, channel } = delivery;
    const handler = this.dispatcher.route(message.fields.routingKey);
    const replyTo = message.properties.replyTo as string | undefined;
    const isRpc = handler ? handler.options.type === 'rpc' : Boolean(replyTo);
    try {
      const result = await this.dispatcher.dispatch(handler, message);
      if (isRpc && replyTo && this.owns(delivery)) sendReply(channel, message, result);
      else if (!isRpc && result !== undefined && handler) this.logger.debug(MESSAGES.subscriberReturnedValue(handler.name));
      this.settle(delivery, 'ack');
    } catch (error) {
      const name = handler?.name ?? `queue '${this.queueName}'`;
      const reason = error instanceof Error ? error.message : String(error);
      // Warren's own errors explain themselves; a user's error gets its stack.
      const trace = error instanceof WarrenError ? undefined : error;
      if (isRpc && replyTo) {
        this.logger.warn(MESSAGES.rpcFailed(name, reason));
        if (this.owns(delivery)) this.safely(() => sendErrorReply(channel, message, error));
        this.settle(delivery, 'ack');
      } else {
        this.logger.error(MESSAGES.messageRejected(name, this.queueName, reason), trace);
        this.settle(delivery, 'reject');
      }
    }
  }

  private owns(delivery: Delivery): boolean {
    return !delivery.abandoned && this.managed !== undefined && this.managed.isLive(delivery.channel);
  }

  private settle(delivery: Delivery, outcome: 'ack' | 'reject' | 'requeue'): void {
    if (!this.owns(delivery)) return;
    this.safely(() =>
      outcome === 'ack'
        ? delivery.channel.ack(delivery.message)
        : delivery.channel.nack(delivery.message, false, outcome === 'requeue'),
    );
  }

  /** A channel can close between the liveness check and the call; the broker redelivers then. */
  private safely(action: () => void): void {
    try {
      action();
    } catch (error) {
      this.logger.debug(`Could not settle a delivery on queue '${this.queueName}': ${(error as Error).message}`);
    }
  }
}
