import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'crypto';
import type { ConsumeMessage, Message } from 'amqplib';
import { encodeBody } from '../codec/message-codec';
import { BrokerConnection } from '../connection/broker-connection';
import type { ManagedChannel } from '../connection/managed-channel';
import { ConnectionLostError, WarrenClosedError } from '../errors/connection.error';
import { MessageTooLargeError } from '../errors/message-too-large.error';
import { PublishError } from '../errors/publish.error';
import { UnroutableMessageError } from '../errors/unroutable-message.error';
import { describeTarget } from '../errors/describe-target';
import { RpcTimeoutError } from '../errors/rpc-timeout.error';
import type { RequestOptions } from '../interfaces';
import { WarrenLogger } from '../logging/warren-logger';
import { missingExchange } from '../producer/missing-exchange';
import { DIRECT_REPLY_QUEUE, HEADERS } from '../warren.constants';
import { MESSAGES } from '../warren.messages';
import { WARREN_RESOLVED_OPTIONS } from '../warren.providers';
import type { ResolvedWarrenOptions } from '../warren-options';
import { readReply } from './rpc-reply';

interface PendingRequest {
  exchange: string;
  routingKey: string;
  content: Buffer;
  contentType?: string;
  headers?: Record<string, unknown>;
  timeoutMs: number;
  /** Epoch ms after which the handler should not bother: the caller has given up. */
  deadline: number;
  sent: boolean;
  timer: NodeJS.Timeout;
  resolve(value: unknown): void;
  reject(error: Error): void;
}

/**
 * Request/reply over RabbitMQ's direct reply-to: no reply queue to declare, replies come back
 * on this client's channel. A reply that is an error rejects with `RemoteError` at once; no
 * reply within the timeout rejects with `RpcTimeoutError`.
 */
@Injectable()
export class RpcClient {
  private readonly channel: ManagedChannel;
  private readonly pending = new Map<string, PendingRequest>();
  private readonly logger: WarrenLogger;
  private closed = false;

  constructor(
    connection: BrokerConnection,
    @Inject(WARREN_RESOLVED_OPTIONS) private readonly options: ResolvedWarrenOptions,
    logger: WarrenLogger,
  ) {
    this.logger = logger.child('Warren:RpcClient');
    this.channel = connection.openChannel(
      {
        name: 'rpc-client',
        confirm: false,
        setup: async (channel) => {
          // No queue bound for the routing key: the request comes back at once, no need to time out.
          channel.on('return', (request: Message) => this.onReturn(request));
          await channel.consume(DIRECT_REPLY_QUEUE, (reply) => reply && this.onReply(reply), { noAck: true });
        },
      },
      { opened: () => this.sendWaiting(), lost: (_channel, error) => this.onChannelLost(error) },
    );
  }

  /**
   * Sends `payload` to `exchange`/`routingKey` (exchange '' addresses a queue by name) and
   * resolves with the handler's return value.
   */
  request<T = unknown>(exchange: string, routingKey: string, payload: unknown, options: RequestOptions = {}): Promise<T> {
    if (this.closed) return Promise.reject(new WarrenClosedError(MESSAGES.clientClosed('RpcClient')));
    let body;
    try {
      body = encodeBody(payload);
    } catch (error) {
      return Promise.reject(error);
    }
    if (body.content.length > this.options.maxMessageBytes) {
      return Promise.reject(new MessageTooLargeError(body.content.length, this.options.maxMessageBytes));
    }
    const timeoutMs = options.timeoutMs ?? this.options.rpcTimeoutMs;
    const correlationId = randomUUID();
    return new Promise<T>((resolve, reject) => {
      const request: PendingRequest = {
        exchange,
        routingKey,
        content: body.content,
        contentType: body.contentType,
        headers: options.headers,
        timeoutMs,
        deadline: Date.now() + timeoutMs,
        sent: false,
        resolve: resolve as (value: unknown) => void,
        reject,
        timer: setTimeout(() => this.settle(correlationId, new RpcTimeoutError(exchange, routingKey, timeoutMs)), timeoutMs),
      };
      this.pending.set(correlationId, request);
      this.send(correlationId, request);
    });
  }

  /** Requests waiting for their reply. */
  get pendingCount(): number {
    return this.pending.size;
  }

  /** Rejects every pending request and closes the channel. */
  async close(): Promise<void> {
    this.closed = true;
    if (this.pending.size > 0) this.logger.warn(MESSAGES.rpcAbandonedOnShutdown(this.pending.size));
    for (const id of [...this.pending.keys()]) {
      this.settle(id, new WarrenClosedError('RpcClient was shut down before the reply arrived'));
    }
    await this.channel.close();
  }

  private send(correlationId: string, request: PendingRequest): void {
    const channel = this.channel.channel;
    if (!channel) return; // sent by sendWaiting() when the channel is back
    try {
      channel.publish(request.exchange, request.routingKey, request.content, {
        replyTo: DIRECT_REPLY_QUEUE,
        correlationId,
        contentType: request.contentType,
        headers: { ...request.headers, [HEADERS.deadline]: request.deadline },
        // Nobody waits for an answer after the timeout, so the request need not outlive it.
        expiration: String(request.timeoutMs),
        persistent: false,
        mandatory: true,
      });
      request.sent = true;
    } catch {
      // Channel closed under us; sendWaiting() retries on the next one.
    }
  }

  private sendWaiting(): void {
    for (const [id, request] of this.pending) if (!request.sent) this.send(id, request);
  }

  private onReply(reply: ConsumeMessage): void {
    const id = reply.properties.correlationId as string | undefined;
    if (!id || !this.pending.has(id)) return; // late reply to a request that already timed out
    let value: unknown;
    try {
      value = readReply(reply);
    } catch (error) {
      this.settle(id, error as Error);
      return;
    }
    this.settle(id, undefined, value);
  }

  private onReturn(request: Message): void {
    const id = request.properties.correlationId as string | undefined;
    const pending = id ? this.pending.get(id) : undefined;
    if (!id || !pending) return;
    this.settle(id, new UnroutableMessageError(pending.exchange, pending.routingKey, (request.fields as { replyText?: string }).replyText));
  }

  /** Replies for requests sent on a dead channel can never arrive: fail them now. */
  private onChannelLost(error: (Error & { code?: number }) | undefined): void {
    const gone = missingExchange(error);
    for (const [id, request] of [...this.pending]) {
      if (!request.sent) continue;
      this.settle(
        id,
        gone !== undefined && request.exchange === gone
          ? new PublishError(`Exchange '${gone}' does not exist; nothing can answer this request`, request.exchange, request.routingKey)
          : new ConnectionLostError(
              `The channel carrying RPC ${describeTarget(request.exchange, request.routingKey)} closed before the reply arrived` +
                (error ? ` (${error.message})` : ''),
            ),
      );
    }
  }

  private settle(id: string, error: Error | undefined, value?: unknown): void {
    const request = this.pending.get(id);
    if (!request) return;
    this.pending.delete(id);
    clearTimeout(request.timer);
    if (error) request.reject(error);
    else request.resolve(value);
  }
}
