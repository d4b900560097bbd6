import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'crypto';
import type { ConsumeMessage, Message } from 'amqplib';
import { encodeBody } from '../codec/message-codec';
import { BrokerConnection } from '../connection/broker-connection';
import type { ManagedChannel } from '../connection/managed-channel';
import { WarrenClosedError } from '../errors/connection.error';
import { MessageTooLargeError } from '../errors/message-too-large.error';
import { UnroutableMessageError } from '../errors/unroutable-message.error';
import { RpcTimeoutError } from '../errors/rpc-timeout.error';
import type { RequestOptions, RequestProperties } from '../interfaces';
import { WarrenLogger } from '../logging/warren-logger';
import { brokerRefusal } from '../connection/broker-refusal';
import { InvalidMessageError } from '../errors/invalid-message.error';
import { checkTimeout } from '../outgoing/amqp-values';
import { checkHeaders } from '../outgoing/field-table';
import { HeaderTemplates } from '../outgoing/header-templates';
import { checkTarget } from '../outgoing/publish-properties';
import { DIRECT_REPLY_QUEUE, HEADERS, STREAM_ACCEPT, STREAM_NEXT } from '../warren.constants';
import { MESSAGES } from '../warren.messages';
import { WARREN_RESOLVED_OPTIONS } from '../warren.providers';
import type { ResolvedWarrenOptions } from '../warren-options';
import { readReply } from './rpc-reply';
import { lostError, refusedError } from './rpc-failures';
import { requestProperties } from './request-properties';
import { startSend } from '../tracing/warren-tracing';
import type { RpcContract } from '../contracts/contracts';
import { checkOutgoing, checkReply } from '../validation/contract-check';
import { PayloadValidator } from '../validation/payload-validator';

interface PendingRequest {
  exchange: string;
  routingKey: string;
  content: Buffer;
  contentType?: string;
  headers?: Record<string, unknown>;
  /** The caller's own AMQP properties, if it set any. */
  properties?: RequestProperties;
  /** Takes a streamed answer: every reply but the last goes here. */
  onValue?: (value: unknown) => void;
  timeoutMs: number;
  /** performance.now() when the request was made: what is left of its timeout travels with it. */
  startedAt: number;
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
  private readonly unwatchGiveUp: () => void;
  /** Requests' headers go to amqplib in reused objects (see HeaderTemplates). */
  private readonly headerTemplates = new HeaderTemplates();
  /** Checks replies against a contract's response DTO (none when the module validates no DTOs). */
  private readonly replyDtos: PayloadValidator | undefined;

  constructor(
    private readonly connection: BrokerConnection,
    @Inject(WARREN_RESOLVED_OPTIONS) private readonly options: ResolvedWarrenOptions,
    logger: WarrenLogger,
  ) {
    this.logger = logger.child('Warren:RpcClient');
    this.replyDtos = options.validation === false ? undefined : new PayloadValidator(options.validation);
    // On the publishing connection: requests are publishes, and direct reply-to wants replies on the same channel.
    this.channel = connection.publishing.openChannel(
      {
        name: 'rpc-client',
        confirm: false,
        // A channel the broker closed over one request is re-opened at once for the others.
        reopenDelayMs: 20,
        setup: async (channel) => {
          // No queue bound for the routing key: the request comes back at once, no need to time out.
          channel.on('return', (request: Message) => this.onReturn(request));
          await channel.consume(DIRECT_REPLY_QUEUE, (reply) => reply && this.onReply(reply), { noAck: true });
        },
      },
      { opened: () => this.sendWaiting(), lost: (_channel, error) => this.onChannelLost(error) },
    );
    // No reply can come over a connection that will not come back, nor can a waiting request be sent.
    this.unwatchGiveUp = connection.group.onGiveUp((error) => {
      for (const id of [...this.pending.keys()]) this.settle(id, error);
    });
  }

  /**
   * Sends `payload` to `exchange`/`routingKey` (exchange '' addresses a queue by name) and
   * resolves with the handler's return value. A value AMQP cannot carry rejects at once with
   * `InvalidMessageError`; a fractional `timeoutMs` is rounded up to whole milliseconds.
   */
  request<T = unknown>(exchange: string, routingKey: string, payload: unknown, options: RequestOptions = {}): Promise<T> {
    if (this.closed) return Promise.reject(new WarrenClosedError(MESSAGES.clientClosed('RpcClient')));
    if (this.connection.gaveUpError) return Promise.reject(this.connection.gaveUpError);
    let body;
    let timeoutMs: number;
    let headers: Record<string, unknown> | undefined;
    let properties: RequestProperties | undefined;
    try {
      checkTarget(exchange, routingKey);
      body = encodeBody(payload, 'payload', this.options.serializer);
      if (body.content.length > this.options.maxMessageBytes) throw new MessageTooLargeError(body.content.length, this.options.maxMessageBytes);
      timeoutMs = checkTimeout('options.timeoutMs', options?.timeoutMs ?? this.options.rpcTimeoutMs);
      headers = checkHeaders('options.headers', options?.headers);
      properties = options && requestProperties(options);
    } catch (error) {
      return Promise.reject(error);
    }
    const onValue = options?.onValue;
    if (onValue) headers = { ...headers, [HEADERS.stream]: STREAM_ACCEPT };
    // Random (122 bits): anyone who learns this client's reply-to address can send it replies, and
    // only an id it cannot guess keeps such a reply from settling a request (a counter could be guessed).
    const correlationId = randomUUID();
    const span = startSend({ exchange, routingKey }, headers, 'client');
    headers = span.headers;
    return new Promise<T>((resolve, reject) => {
      const request: PendingRequest = {
        exchange,
        routingKey,
        content: body.content,
        contentType: properties?.contentType ?? body.contentType,
        headers,
        properties,
        onValue,
        timeoutMs,
        startedAt: performance.now(),
        sent: false,
        resolve: (value: unknown) => (span.end(), resolve(value as T)),
        reject: (error: Error) => (span.end(error), reject(error)),
        timer: setTimeout(() => this.settle(correlationId, new RpcTimeoutError(exchange, routingKey, timeoutMs)), timeoutMs),
      };
      this.pending.set(correlationId, request);
      this.send(correlationId, request);
    });
  }

  /**
   * Calls the handler of an RPC contract: the request and the resolved value are typed by it. A
   * request schema checks the request before it is sent (`InvalidMessageError`, field `payload`,
   * nothing sent; `validation.onPublish`); a `response` checks the reply, and the call resolves
   * with its output or rejects with `InvalidReplyError` (code `INVALID_REPLY`).
   */
  call<Req, Res>(contract: RpcContract<Req, Res, unknown, unknown>, request: Req, options: RequestOptions = {}): Promise<Res> {
    const send = () => this.request<unknown>(contract.exchange, contract.routingKey, request, options);
    const sent = (): Promise<Res> =>
      contract.response === undefined ? (send() as Promise<Res>) : send().then((reply) => checkReply(contract.response, reply, contract, this.replyDtos) as Res);
    if (!this.options.validateOnPublish) return sent();
    let checked;
    try {
      checked = checkOutgoing(contract.request, request);
    } catch (error) {
      return Promise.reject(error);
    }
    return checked ? checked.then(sent) : sent();
  }

  /** Requests waiting for their reply. */
  get pendingCount(): number {
    return this.pending.size;
  }

  /** Rejects every pending request and closes the channel. */
  async close(): Promise<void> {
    this.closed = true;
    this.unwatchGiveUp();
    if (this.pending.size > 0) this.logger.warn(MESSAGES.rpcAbandonedOnShutdown(this.pending.size));
    for (const id of [...this.pending.keys()]) {
      this.settle(id, new WarrenClosedError('RpcClient was shut down before the reply arrived'));
    }
    await this.channel.close();
  }

  private send(correlationId: string, request: PendingRequest): void {
    const channel = this.channel.channel;
    if (!channel) return; // sent by sendWaiting() when the channel is back
    // What is left of the timeout, relative: the handler's clock need not agree with this one.
    const remainingMs = Math.ceil(request.timeoutMs - (performance.now() - request.startedAt));
    if (remainingMs <= 0) return; // its timer rejects it now
    const headers = request.headers ? { ...request.headers, [HEADERS.timeoutMs]: remainingMs } : { [HEADERS.timeoutMs]: remainingMs };
    try {
      this.headerTemplates.lend(headers, (lent) =>
        channel.publish(request.exchange, request.routingKey, request.content, {
          ...request.properties,
          replyTo: DIRECT_REPLY_QUEUE,
          correlationId,
          contentType: request.contentType,
          headers: lent,
          // Nobody waits for an answer after the timeout, so the request need not outlive it (the broker's clock).
          expiration: String(remainingMs),
          persistent: request.properties?.persistent ?? false,
          mandatory: true,
        }),
      );
      request.sent = true;
    } catch (error) {
      // The channel is closing under us: sendWaiting() sends it on the next one.
      if ((error as Error).name === 'IllegalOperationError') return;
      // Encoding failed before anything was written (a plain channel keeps no per-message state).
      this.settle(correlationId, new InvalidMessageError('payload', MESSAGES.publishNotEncodable((error as Error).message)));
    }
  }

  private sendWaiting(): void {
    for (const [id, request] of this.pending) if (!request.sent) this.send(id, request);
  }

  private onReply(reply: ConsumeMessage): void {
    const id = reply.properties.correlationId as string | undefined;
    const request = id ? this.pending.get(id) : undefined;
    if (!id || !request) return; // late reply to a request that already timed out
    let value: unknown;
    try {
      // Refused before it is decoded, as a handler refuses a message over the limit.
      if (reply.content.length > this.options.maxMessageBytes) throw new MessageTooLargeError(reply.content.length, this.options.maxMessageBytes, 'Reply');
      value = readReply(reply);
      // One reply of a streamed answer that more follow: the request stays pending.
      if (request.onValue && reply.properties.headers?.[HEADERS.stream] === STREAM_NEXT) return request.onValue(value);
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

  /**
   * Replies for requests sent on a dead channel can never arrive (direct reply-to addresses the
   * channel): fail them now. When the broker closed the channel over one request, that request
   * gets the broker's reason; the others sent on the channel get `ConnectionLostError` — they may
   * or may not have reached a handler, and RPC is never sent twice.
   */
  private onChannelLost(error: Error | undefined): void {
    const refusal = brokerRefusal(error);
    const sent = [...this.pending].filter(([, request]) => request.sent);
    for (const [id, request] of sent) {
      const culprit =
        refusal?.byPublish === true && (refusal.exchange !== undefined ? request.exchange === refusal.exchange : sent.length === 1);
      this.settle(id, culprit ? refusedError(request, refusal!) : lostError(request, error));
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
