import { CustomTransportStrategy, MessageHandler, Server } from '@nestjs/microservices';
import type { ConsumeMessage } from 'amqplib';
import { lastValueFrom } from 'rxjs';
import { WarrenConfigurationError } from '../errors/configuration.error';
import type { RabbitHandlerMetadata, WarrenModuleOptions } from '../interfaces';
import { ReplyStream, acceptsStream } from '../rpc/reply-stream';
import { HEADERS } from '../warren.constants';
import { MESSAGES } from '../warren.messages';
import { Warren, createWarren } from '../warren.standalone';
import { asHandlerFailure } from './handler-failure';
import { streamValues } from './stream-values';
import { defaultServiceQueue, flowOptions, routingKeyOf, transportModuleOptions } from './transport-pattern';
import { WarrenRpcContext } from './warren-rpc.context';
import type { WarrenEventListener, WarrenEventName, WarrenTransportEvents } from '../connection/warren-events';
import { EventSubscriptions } from './event-subscriptions';
import type { WarrenTransportOptions } from './warren-transport-options.interface';

/**
 * Warren as a @nestjs/microservices transport: `@MessagePattern(p)` handlers answer RPCs and
 * `@EventPattern(p)` handlers consume events, bound on a topic exchange with the pattern as
 * routing key, all on this service's queue. Warren's behaviour applies: manual acks, retries and
 * dead letters for events, errors back to the caller for messages, bounded drain on close. An
 * Observable answer is streamed value by value to a caller that takes streams (`WarrenClient`).
 *
 *   NestFactory.createMicroservice(AppModule, { strategy: new WarrenServer({ uri }) })
 */
export class WarrenServer extends Server<WarrenTransportEvents> implements CustomTransportStrategy {
  private warren?: Warren;
  private queue = '';
  private readonly subscriptions = new EventSubscriptions();

  constructor(private readonly options: WarrenTransportOptions = {}) {
    super();
  }

  async listen(callback: (error?: unknown) => void): Promise<void> {
    try {
      await this.start();
      callback();
    } catch (error) {
      await this.close();
      callback(error);
    }
  }

  async close(): Promise<void> {
    const warren = this.warren;
    this.warren = undefined;
    await warren?.close();
  }

  /**
   * Subscribes to Warren's connection and consumer events (`WarrenStatus.on`: `connected`,
   * `disconnected`, `gave-up`, …); subscriptions made before `listen` start once it listens.
   * Returns a function that unsubscribes.
   */
  on<E extends WarrenEventName = WarrenEventName, C extends WarrenTransportEvents[E] = WarrenTransportEvents[E]>(event: E, callback: C): () => void {
    return this.subscriptions.on(event, callback as WarrenEventListener<E>, this.warren?.status);
  }

  /** Warren's producer, RPC client, consumers and connection (after `listen`). */
  unwrap<T>(): T {
    if (!this.warren) throw new WarrenConfigurationError(MESSAGES.transportNotStarted('WarrenServer', 'listening'));
    return this.warren as T;
  }

  private async start(): Promise<void> {
    const { exchange, module } = transportModuleOptions(this.options);
    // Nest's own handlers have no routing key of their own, so nothing is discovered by Warren here.
    this.warren = await this.connect({ ...module, registerHandlers: false });
    this.subscriptions.attach(this.warren.status);
    const patterns = [...this.messageHandlers.keys()];
    if (patterns.length === 0) return;
    this.queue = this.options.queue ?? defaultServiceQueue(exchange, patterns);
    await this.warren.consumers.addMany(
      [...this.messageHandlers].map(([pattern, handler]) => ({
        name: `${handler.isEventHandler ? 'EventPattern' : 'MessagePattern'}(${pattern})`,
        options: {
          ...flowOptions(this.options.handlerOptions, handler.extras),
          ...{ type: handler.isEventHandler ? 'subscribe' : 'rpc', exchange, routingKey: routingKeyOf(pattern), queue: this.queue },
        } satisfies RabbitHandlerMetadata,
        handler: (payload: unknown, message: ConsumeMessage, _headers: unknown, signal: AbortSignal | undefined) => this.invoke(handler, payload, message, signal),
        wantsSignal: false, // a signal (getSignal()) only for patterns with a timeoutMs
      })),
    );
  }

  /** Opens Warren for this server (a subclass may put it on another broker, e.g. the in-memory one of a test). */
  protected connect(options: WarrenModuleOptions): Promise<Warren> {
    return createWarren(options);
  }

  /**
   * Runs Nest's handler (guards, pipes, interceptors, filters) and gives Warren its answer: the last
   * value, or every value for a caller that takes a stream; or its error.
   */
  private async invoke(handler: MessageHandler, payload: unknown, message: ConsumeMessage, signal: AbortSignal | undefined): Promise<unknown> {
    const event = handler.isEventHandler === true;
    const context = new WarrenRpcContext([message, this.sentWith(message)], event ? 'event' : 'message', signal);
    try {
      const result$ = this.transformToObservable(await handler(payload, context));
      if (!event && acceptsStream(message)) {
        return new ReplyStream((sendNext) => streamValues(result$, sendNext).catch((error: unknown) => Promise.reject(asHandlerFailure(error, false))));
      }
      const result = await lastValueFrom(result$, { defaultValue: undefined });
      return event ? undefined : result;
    } catch (error) {
      throw asHandlerFailure(error, event);
    }
  }

  /**
   * The routing key a message was sent with. Warren's retries of an event come back through the
   * default exchange addressed to this queue, with the original key recorded on the copy.
   */
  private sentWith(message: ConsumeMessage): string {
    const { exchange, routingKey } = message.fields;
    const original = message.properties.headers?.[HEADERS.originalRoutingKey];
    return exchange === '' && routingKey === this.queue && typeof original === 'string' ? original : routingKey;
  }
}
