import { Inject, Injectable } from '@nestjs/common';
import { EventEmitter } from 'events';
import { randomUUID } from 'crypto';
import type { ConfirmChannel, Message, Options } from 'amqplib';
import { encodeBody } from '../codec/message-codec';
import { BrokerConnection } from '../connection/broker-connection';
import type { ManagedChannel } from '../connection/managed-channel';
import { WarrenClosedError } from '../errors/connection.error';
import { BufferOverflowError } from '../errors/buffer-overflow.error';
import { MessageTooLargeError } from '../errors/message-too-large.error';
import { PublishError } from '../errors/publish.error';
import { UnroutableMessageError } from '../errors/unroutable-message.error';
import { describeTarget } from '../errors/describe-target';
import { WarrenLogger } from '../logging/warren-logger';
import type { PublishOptions } from '../interfaces';
import { MESSAGES } from '../warren.messages';
import { WARREN_RESOLVED_OPTIONS } from '../warren.providers';
import type { ResolvedWarrenOptions } from '../warren-options';
import { missingExchange } from './missing-exchange';

interface Outgoing {
  exchange: string;
  routingKey: string;
  content: Buffer;
  properties: Options.Publish;
  resolve(): void;
  reject(error: Error): void;
  timer: NodeJS.Timeout;
  /** Bumped on every send, so a confirm for an earlier attempt is ignored. */
  attempt: number;
  done: boolean;
  /** The broker's reply text when it returned the message as unroutable (before confirming it). */
  returned?: string;
}

/** Reported through `onEmitError` when a fire-and-forget `emit` could not be delivered. */
export interface EmitFailure {
  exchange: string;
  routingKey: string;
  error: Error;
}

/**
 * Publishes with publisher confirms: `publish()` resolves only once the broker has taken
 * responsibility for the message. While there is no channel, messages wait in order; whatever
 * was sent but not yet confirmed when a channel died is sent again (same messageId) on the next.
 */
@Injectable()
export class MessageProducer {
  private readonly channel: ManagedChannel;
  private readonly waiting: Outgoing[] = [];
  private readonly unconfirmed = new Set<Outgoing>();
  private readonly events = new EventEmitter();
  private readonly logger: WarrenLogger;
  private writable = true;
  private closed = false;
  private onSettled?: () => void;

  constructor(
    connection: BrokerConnection,
    @Inject(WARREN_RESOLVED_OPTIONS) private readonly options: ResolvedWarrenOptions,
    logger: WarrenLogger,
  ) {
    this.logger = logger.child('Warren:MessageProducer');
    this.channel = connection.openChannel(
      { name: 'producer', confirm: true },
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
  }

  /**
   * Publishes `message` (object → JSON, string → text, Buffer → binary), persistent unless told
   * otherwise. Resolves when the broker confirmed it; rejects with `PublishError` when the broker
   * refused it or did not confirm it within `publish.timeoutMs`.
   */
  publish(exchange: string, routingKey: string, message: unknown, options: PublishOptions = {}): Promise<void> {
    if (this.closed) return Promise.reject(new WarrenClosedError(MESSAGES.clientClosed('MessageProducer')));
    let body;
    try {
      body = encodeBody(message);
    } catch (error) {
      return Promise.reject(error);
    }
    if (body.content.length > this.options.maxMessageBytes) {
      return Promise.reject(new MessageTooLargeError(body.content.length, this.options.maxMessageBytes));
    }
    if (this.waiting.length >= this.options.maxBufferedMessages) {
      return Promise.reject(new BufferOverflowError(exchange, routingKey, this.options.maxBufferedMessages));
    }
    const properties = publishProperties(options, body.contentType, this.options.mandatory);
    return new Promise<void>((resolve, reject) => {
      const outgoing: Outgoing = {
        exchange,
        routingKey,
        content: body.content,
        properties,
        resolve,
        reject,
        attempt: 0,
        done: false,
        timer: setTimeout(
          () =>
            this.finish(
              outgoing,
              new PublishError(
                `Publish to ${describeTarget(exchange, routingKey)} was not confirmed within ${this.options.publishTimeoutMs} ms`,
                exchange,
                routingKey,
              ),
            ),
          this.options.publishTimeoutMs,
        ),
      };
      this.waiting.push(outgoing);
      this.flush();
    });
  }

  /**
   * Fire-and-forget: returns at once and never throws for transport reasons. The message takes
   * the same confirmed path as `publish`; failures are logged and reported to `onEmitError`.
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

  /** Messages accepted but not yet confirmed by the broker. */
  get pendingCount(): number {
    return this.waiting.length + this.unconfirmed.size;
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
    const error = new WarrenClosedError(MESSAGES.clientClosed('MessageProducer'));
    for (const outgoing of [...this.unconfirmed, ...this.waiting]) this.finish(outgoing, error);
    await this.channel.close();
  }

  private flush(): void {
    const channel = this.channel.channel as ConfirmChannel | undefined;
    while (channel && this.writable && this.waiting.length > 0) {
      this.send(channel, this.waiting.shift()!);
    }
  }

  private send(channel: ConfirmChannel, outgoing: Outgoing): void {
    const attempt = ++outgoing.attempt;
    outgoing.returned = undefined;
    this.unconfirmed.add(outgoing);
    const confirm = (error: Error | null) => {
      if (outgoing.attempt !== attempt || outgoing.done) return;
      // amqplib fails every unconfirmed message when the channel closes; onChannelLost sends them again.
      if (error && error.message === 'channel closed') return;
      if (error) {
        const target = describeTarget(outgoing.exchange, outgoing.routingKey);
        this.finish(outgoing, new PublishError(`The broker refused the message for ${target}`, outgoing.exchange, outgoing.routingKey));
      } else if (outgoing.returned !== undefined) {
        this.finish(outgoing, new UnroutableMessageError(outgoing.exchange, outgoing.routingKey, outgoing.returned));
      } else {
        this.finish(outgoing, undefined);
      }
    };
    try {
      this.writable = channel.publish(outgoing.exchange, outgoing.routingKey, outgoing.content, outgoing.properties, confirm);
    } catch {
      // The channel closed under us; onChannelLost puts the message back in line.
    }
  }

  private onReturn(message: Message): void {
    const { exchange, routingKey, replyText } = message.fields as Message['fields'] & { replyText?: string };
    for (const outgoing of this.unconfirmed) {
      if (
        outgoing.returned === undefined &&
        outgoing.properties.messageId === message.properties.messageId &&
        outgoing.exchange === exchange &&
        outgoing.routingKey === routingKey
      ) {
        outgoing.returned = replyText ?? 'NO_ROUTE';
        return;
      }
    }
  }

  private onChannelLost(error: (Error & { code?: number }) | undefined): void {
    const gone = missingExchange(error);
    const resend = [...this.unconfirmed].filter((o) => !o.done);
    this.unconfirmed.clear();
    for (const outgoing of resend) {
      if (gone !== undefined && outgoing.exchange === gone) {
        this.finish(
          outgoing,
          new PublishError(
            `Exchange '${gone}' does not exist; declare it (WarrenModule.forRoot({ exchanges })) before publishing to it`,
            outgoing.exchange,
            outgoing.routingKey,
          ),
        );
      }
    }
    // Back to the front of the line, in their original order, ahead of anything newer.
    this.waiting.unshift(...resend.filter((o) => !o.done));
  }

  private finish(outgoing: Outgoing, error: Error | undefined): void {
    if (outgoing.done) return;
    outgoing.done = true;
    clearTimeout(outgoing.timer);
    if (!this.unconfirmed.delete(outgoing)) {
      // Timed out (or closed) while still waiting for a channel: take it out of the line.
      const index = this.waiting.indexOf(outgoing);
      if (index >= 0) this.waiting.splice(index, 1);
    }
    if (error) outgoing.reject(error);
    else outgoing.resolve();
    if (this.onSettled && this.pendingCount === 0) this.onSettled();
  }
}

function publishProperties(options: PublishOptions, contentType: string | undefined, mandatory: boolean): Options.Publish {
  return {
    mandatory: options.mandatory ?? mandatory,
    persistent: options.persistent ?? true,
    messageId: options.messageId ?? randomUUID(),
    timestamp: Math.floor(Date.now() / 1000),
    contentType: options.contentType ?? contentType,
    headers: options.headers,
    correlationId: options.correlationId,
    expiration: options.expiration === undefined ? undefined : String(options.expiration),
    priority: options.priority,
    type: options.type,
    replyTo: options.replyTo,
  };
}
