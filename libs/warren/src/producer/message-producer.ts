import { Inject, Injectable, Optional } from '@nestjs/common';
import { EventEmitter } from 'events';
import type { ConfirmChannel, Message, Options } from 'amqplib';
import { encodeBody } from '../codec/message-codec';
import { BrokerConnection } from '../connection/broker-connection';
import type { ManagedChannel } from '../connection/managed-channel';
import { WarrenClosedError } from '../errors/connection.error';
import { MessageTooLargeError } from '../errors/message-too-large.error';
import type { EventContract } from '../contracts/contracts';
import { WarrenConfigurationError } from '../errors/configuration.error';
import { PublishError } from '../errors/publish.error';
import { UnroutableMessageError } from '../errors/unroutable-message.error';
import { describeTarget } from '../errors/describe-target';
import { WarrenLogger } from '../logging/warren-logger';
import type { PublishOptions } from '../interfaces';
import { MESSAGES } from '../warren.messages';
import { WARREN_RESOLVED_OPTIONS } from '../warren.providers';
import type { ResolvedWarrenOptions } from '../warren-options';
import { brokerRefusal } from '../connection/broker-refusal';
import { InvalidMessageError } from '../errors/invalid-message.error';
import { checkOutgoing } from '../validation/contract-check';
import { HeaderTemplates } from '../outgoing/header-templates';
import { checkTarget, publishProperties } from '../outgoing/publish-properties';
import { Outgoing, returnedOne, settleRefused, timeoutError } from './outgoing';
import { PublishBuffer } from './publish-buffer';
import { startSend } from '../tracing/warren-tracing';
import { observe } from '../tracing/warren-metrics';
import { MessageObservers, observePublish } from '../observers/message-observers';


/** Reported through `onEmitError` when a fire-and-forget `emit` could not be delivered. */
export interface EmitFailure {
  exchange: string;
  routingKey: string;
  error: Error;
}

/** A channel the broker closed over one message is re-opened at once, not after the reconnect delay. */
const REOPEN_AFTER_REFUSAL_MS = 20;

/**
 * Publishes with publisher confirms: `publish()` resolves only once the broker has taken
 * responsibility for the message. Every value is checked before it reaches amqplib, so a bad one
 * rejects its own call and nothing else. While there is no channel, messages wait in order;
 * whatever was sent but not yet confirmed when a channel died is sent again (same messageId).
 * Everything not yet confirmed — waiting, in amqplib's buffers, written — counts against
 * `publish.maxBufferedMessages` and `publish.maxBufferedBytes`; a message whose confirm timed out
 * counts until its confirm comes or its channel ends, since it is still on its way.
 * Publishes go on Warren's publishing connection, so a broker alarm never blocks consumers' acks.
 */
@Injectable()
export class MessageProducer {
  private readonly channel: ManagedChannel;
  private readonly buffer: PublishBuffer;
  /** Messages' headers go to amqplib in reused objects (see HeaderTemplates). */
  private readonly headerTemplates = new HeaderTemplates();
  private readonly events = new EventEmitter();
  private readonly logger: WarrenLogger;
  private readonly unobserve: () => void;
  private readonly unwatchGiveUp: () => void;
  private writable = true;
  private closed = false;
  /** A suspect on the wire alone; nothing else is sent until it is settled. */
  private probe?: Outgoing;
  private onSettled?: () => void;

  constructor(
    private readonly connection: BrokerConnection,
    @Inject(WARREN_RESOLVED_OPTIONS) private readonly options: ResolvedWarrenOptions,
    logger: WarrenLogger,
    @Optional() private readonly observers?: MessageObservers,
  ) {
    this.logger = logger.child('Warren:MessageProducer');
    this.buffer = new PublishBuffer(options.maxBufferedMessages, options.maxBufferedBytes);
    this.unobserve = observe({ gauge: 'buffered', name: connection.name, read: () => this.pendingCount });
    this.channel = connection.publishing.openChannel(
      { name: 'producer', confirm: true, reopenDelayMs: REOPEN_AFTER_REFUSAL_MS },
      {
        opened: (channel) => {
          this.writable = true;
          channel.on('drain', () => {
            this.writable = true;
            this.flush();
          });
          // A mandatory message nobody is bound for comes back as basic.return *before* its confirm.
          channel.on('return', (message: Message) => this.onReturn(message));
          this.flush();
        },
        lost: (_channel, error) => this.onChannelLost(error),
      },
    );
    // Nothing is kept for a connection that will not come back.
    this.unwatchGiveUp = connection.group.onGiveUp((error) => this.failAll(error));
  }

  /**
   * Publishes `message` (object → JSON, string → text, Buffer → binary), persistent unless told
   * otherwise. Resolves when the broker confirmed it. Rejects at once with `InvalidMessageError`
   * for a value AMQP cannot carry; with `PublishError` when the broker refused it (its `code` and
   * `reason` say why) or did not confirm it within `publish.timeoutMs`. Given an event contract
   * with a Standard Schema, a payload that does not match it rejects with `InvalidMessageError`
   * (field `payload`, the issues in `details`) and nothing is sent (`validation.onPublish`).
   */
  publish<T, Out>(event: EventContract<T, Out>, message: T, options?: PublishOptions): Promise<void>;
  publish(exchange: string, routingKey: string, message: unknown, options?: PublishOptions): Promise<void>;
  publish(target: string | EventContract<unknown, unknown>, ...rest: unknown[]): Promise<void> {
    // An event contract names the exchange and routing key (and types the message).
    const [exchange, routingKey, message, options = {}] = (typeof target === 'object' ? [target.exchange, target.routingKey, ...rest] : [target, ...rest]) as [
      string,
      string,
      unknown,
      PublishOptions | undefined,
    ];
    if (this.closed) return Promise.reject(new WarrenClosedError(MESSAGES.clientClosed('MessageProducer')));
    if (this.connection.gaveUpError) return Promise.reject(this.connection.gaveUpError);
    // A contract's schema checks the payload first (synchronously, unless the schema is async).
    if (typeof target === 'object' && this.options.validateOnPublish) {
      let checked;
      try {
        checked = checkOutgoing(target.payload, message);
      } catch (error) {
        return Promise.reject(error);
      }
      if (checked) return checked.then(() => this.enqueue(exchange, routingKey, message, options));
    }
    return this.enqueue(exchange, routingKey, message, options);
  }

  private enqueue(exchange: string, routingKey: string, message: unknown, options: PublishOptions): Promise<void> {
    if (this.closed) return Promise.reject(new WarrenClosedError(MESSAGES.clientClosed('MessageProducer')));
    if (this.connection.gaveUpError) return Promise.reject(this.connection.gaveUpError);
    let content: Buffer;
    let properties: Options.Publish;
    try {
      checkTarget(exchange, routingKey);
      const body = encodeBody(message, 'message', this.options.serializer);
      if (body.content.length > this.options.maxMessageBytes) throw new MessageTooLargeError(body.content.length, this.options.maxMessageBytes);
      content = body.content;
      properties = publishProperties(options, body.contentType, this.options.mandatory, this.options.defaultPublishOptions);
    } catch (error) {
      return Promise.reject(error);
    }
    const overflow = this.buffer.overflow(exchange, routingKey, content.length);
    if (overflow) return Promise.reject(overflow);
    const span = startSend({ exchange, routingKey, messageId: properties.messageId }, properties.headers);
    properties.headers = span.headers;
    const published = new Promise<void>((resolve, reject) => {
      const outgoing: Outgoing = {
        exchange,
        routingKey,
        content,
        properties,
        resolve: () => (span.end(), resolve()),
        reject: (error) => (span.end(error), reject(error)),
        attempt: 0,
        done: false,
        suspect: false,
        timer: setTimeout(() => this.finish(outgoing, timeoutError(outgoing, this.options.publishTimeoutMs), true), this.options.publishTimeoutMs),
      };
      this.buffer.accept(outgoing);
      this.flush();
    });
    return this.observers?.active ? observePublish(this.observers, published, { exchange, routingKey, message, properties }) : published;
  }

  /**
   * Publishes a burst: every message is checked and queued in this tick, so they reach the socket
   * together (one write with `connection.coalesceWrites`); resolves with one settled result per
   * item, in order, once each is confirmed or refused. A bad item fails alone.
   */
  publishMany(items: ReadonlyArray<{ exchange: string; routingKey: string; message: unknown; options?: PublishOptions }>): Promise<PromiseSettledResult<void>[]> {
    return Promise.allSettled(items.map((item) => this.publish(item.exchange, item.routingKey, item.message, item.options)));
  }

  /**
   * Publishes to a named publication of the module's `publications` (its exchange, routing key and
   * options; the call's options win). An unknown name rejects at once, naming the known ones.
   */
  publishTo(publication: string, message: unknown, options: PublishOptions = {}): Promise<void> {
    const target = this.options.topology.publications[publication];
    if (!target) return Promise.reject(new WarrenConfigurationError(MESSAGES.unknownPublication(publication, Object.keys(this.options.topology.publications))));
    return this.publish(target.exchange, target.routingKey, message, { ...target.options, ...options });
  }

  /**
   * Fire-and-forget: returns at once and never throws for transport reasons. The message takes
   * the same confirmed path as `publish`; failures (invalid input included) are logged and
   * reported to `onEmitError`.
   */
  emit(exchange: string, routingKey: string, message: unknown, options?: PublishOptions): void {
    this.publish(exchange, routingKey, message, options).catch((error: Error) => {
      this.logger.error(MESSAGES.emitFailed(exchange, routingKey, error.message));
      this.events.emit('emitError', { exchange, routingKey, error } satisfies EmitFailure);
    });
  }

  /** Subscribes to failed `emit`s; returns a function that unsubscribes. */
  onEmitError(listener: (failure: EmitFailure) => void): () => void {
    this.events.on('emitError', listener);
    return () => this.events.off('emitError', listener);
  }

  /** Messages accepted but not yet confirmed by the broker (those whose confirm timed out included, while still on their way). */
  get pendingCount(): number {
    return this.buffer.count;
  }

  /** Body bytes of the messages `pendingCount` counts: what `publish.maxBufferedBytes` bounds. */
  get bufferedBytes(): number {
    return this.buffer.byteCount;
  }

  /** Waits until every accepted message is confirmed or failed, or until `deadline`. */
  async flushPending(deadline: number): Promise<void> {
    if (this.pendingCount === 0) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, Math.max(0, deadline - Date.now()));
      this.onSettled = () => {
        clearTimeout(timer);
        resolve();
      };
    });
    if (this.pendingCount > 0) this.logger.warn(MESSAGES.publishesUnconfirmed(this.pendingCount));
  }

  /** Rejects whatever is still pending and closes the channel. */
  async close(): Promise<void> {
    this.closed = true;
    this.unobserve();
    this.unwatchGiveUp();
    this.failAll(new WarrenClosedError(MESSAGES.clientClosed('MessageProducer')));
    await this.channel.close();
  }

  /** Rejects every message not yet confirmed with `error`, and stops counting them. */
  private failAll(error: Error): void {
    for (const outgoing of [...this.buffer.unconfirmed, ...this.buffer.waiting]) this.finish(outgoing, error);
    this.buffer.forget([...this.buffer.unconfirmed]); // timed out, still on the wire: nobody waits for them
  }

  private flush(): void {
    const channel = this.channel.channel as ConfirmChannel | undefined;
    // `this.channel.channel === channel`: a send can replace the channel (see send()).
    while (channel && this.channel.channel === channel && this.writable && !this.probe && this.buffer.waiting.length > 0) {
      const outgoing = this.buffer.takeNext()!;
      if (outgoing.suspect) this.probe = outgoing;
      this.send(channel, outgoing);
    }
  }

  private send(channel: ConfirmChannel, outgoing: Outgoing): void {
    const attempt = ++outgoing.attempt;
    outgoing.returned = undefined;
    const confirm = (error: Error | null) => {
      if (outgoing.attempt !== attempt) return;
      // amqplib fails every unconfirmed message when the channel closes; onChannelLost decides.
      if (error && error.message === 'channel closed') return;
      // The late confirm of a message that timed out: only now does it stop counting.
      if (outgoing.done) return this.forget(outgoing);
      if (error) {
        const target = describeTarget(outgoing.exchange, outgoing.routingKey);
        this.finish(outgoing, new PublishError(`The broker refused the message for ${target} (nack)`, outgoing.exchange, outgoing.routingKey, { code: 'NACKED' }));
      } else if (outgoing.returned !== undefined) {
        this.finish(outgoing, new UnroutableMessageError(outgoing.exchange, outgoing.routingKey, outgoing.returned));
      } else {
        this.finish(outgoing, undefined);
      }
    };
    const { properties } = outgoing;
    const headers = properties.headers;
    try {
      this.writable = this.headerTemplates.lend(headers, (lent) => {
        properties.headers = lent;
        try {
          return channel.publish(outgoing.exchange, outgoing.routingKey, outgoing.content, properties, confirm);
        } finally {
          properties.headers = headers;
        }
      });
    } catch (error) {
      // The channel is closing under us: onChannelLost puts the message back in line.
      if ((error as Error).name === 'IllegalOperationError') return;
      // amqplib queued this message's confirm callback before it failed to encode it, so every
      // later confirm on this channel would be credited to the wrong message: replace the
      // channel (what was really written is sent again on the next) and fail only this message.
      const reason = MESSAGES.publishNotEncodable((error as Error).message);
      this.buffer.remove(outgoing); // not to be sent again on the next channel
      this.channel.recycle(reason);
      this.finish(outgoing, new InvalidMessageError('message', reason));
    }
  }

  private onReturn(message: Message): void {
    const outgoing = returnedOne(this.buffer.unconfirmed, message);
    if (outgoing) outgoing.returned = (message.fields as { replyText?: string }).replyText ?? 'NO_ROUTE';
  }

  private onChannelLost(error: Error | undefined): void {
    this.probe = undefined;
    // Back to the front of the line, ahead of anything newer. Those that timed out are not sent
    // again: their callers were told the outcome is unknown.
    const unconfirmed = this.buffer.returnUnconfirmed();
    const refusal = brokerRefusal(error);
    if (refusal?.byPublish) settleRefused(refusal, unconfirmed, this.logger, (outgoing, failure) => this.finish(outgoing, failure));
    this.checkSettled();
  }

  /**
   * Settles the caller. `onWire`: the message timed out; if it was written it stays in
   * `unconfirmed` (and counted) until its confirm comes or its channel ends.
   */
  private finish(outgoing: Outgoing, error: Error | undefined, onWire = false): void {
    if (outgoing.done) return;
    outgoing.done = true;
    clearTimeout(outgoing.timer);
    this.buffer.remove(outgoing, onWire);
    if (error) outgoing.reject(error);
    else outgoing.resolve();
    if (this.probe === outgoing) {
      this.probe = undefined;
      if (!this.closed) this.flush();
    }
    this.checkSettled();
  }

  /** A message that timed out is off the wire now (its late confirm came): it stops counting. */
  private forget(outgoing: Outgoing): void {
    this.buffer.forget([outgoing]);
    this.checkSettled();
  }

  private checkSettled(): void {
    if (this.onSettled && this.pendingCount === 0) this.onSettled();
  }
}
