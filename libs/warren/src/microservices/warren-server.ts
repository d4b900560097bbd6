import { CustomTransportStrategy, MessageHandler, Server } from '@nestjs/microservices';
import type { ConsumeMessage } from 'amqplib';
import { lastValueFrom } from 'rxjs';
import { WarrenConfigurationError } from '../errors/configuration.error';
import type { RabbitHandlerMetadata, WarrenModuleOptions } from '../interfaces';
import { Warren, createWarren } from '../warren.standalone';
import { defaultServiceQueue, routingKeyOf, transportModuleOptions } from './transport-pattern';
import { WarrenRpcContext } from './warren-rpc.context';
import type { WarrenTransportOptions } from './warren-transport-options.interface';

/**
 * Warren as a @nestjs/microservices transport: `@MessagePattern(p)` handlers answer RPCs and
 * `@EventPattern(p)` handlers consume events, bound on a topic exchange with the pattern as
 * routing key, all on this service's queue. Warren's behaviour applies: manual acks, retries and
 * dead letters for events, errors back to the caller for messages, bounded drain on close.
 *
 *   NestFactory.createMicroservice(AppModule, { strategy: new WarrenServer({ uri }) })
 */
export class WarrenServer extends Server implements CustomTransportStrategy {
  private warren?: Warren;

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

  on(): never {
    throw new WarrenConfigurationError('WarrenServer has no events to listen to; Warren logs connection changes itself');
  }

  /** Warren's producer, RPC client, consumers and connection (after `listen`). */
  unwrap<T>(): T {
    if (!this.warren) throw new WarrenConfigurationError('WarrenServer is not listening yet');
    return this.warren as T;
  }

  private async start(): Promise<void> {
    const { exchange, module } = transportModuleOptions(this.options);
    // Nest's own handlers have no routing key of their own, so nothing is discovered by Warren here.
    this.warren = await this.connect({ ...module, registerHandlers: false });
    const patterns = [...this.messageHandlers.keys()];
    if (patterns.length === 0) return;
    const queue = this.options.queue ?? defaultServiceQueue(exchange, patterns);
    await this.warren.consumers.addMany(
      [...this.messageHandlers].map(([pattern, handler]) => ({
        name: `${handler.isEventHandler ? 'EventPattern' : 'MessagePattern'}(${pattern})`,
        options: { type: handler.isEventHandler ? 'subscribe' : 'rpc', exchange, routingKey: routingKeyOf(pattern), queue } satisfies RabbitHandlerMetadata,
        handler: (payload: unknown, message: ConsumeMessage) => this.invoke(pattern, handler, payload, message),
      })),
    );
  }

  /** Opens Warren for this server (a subclass may put it on another broker, e.g. the in-memory one of a test). */
  protected connect(options: WarrenModuleOptions): Promise<Warren> {
    return createWarren(options);
  }

  /** Runs Nest's handler (guards, pipes, interceptors, filters) and gives Warren its last value or its error. */
  private async invoke(pattern: string, handler: MessageHandler, payload: unknown, message: ConsumeMessage): Promise<unknown> {
    const context = new WarrenRpcContext([message, pattern]);
    const result$ = this.transformToObservable(await handler(payload, context));
    try {
      const result = await lastValueFrom(result$, { defaultValue: undefined });
      return handler.isEventHandler ? undefined : result;
    } catch (error) {
      throw asRemoteError(error);
    }
  }
}

/**
 * Nest's exception filters turn errors into plain objects (`{ status: 'error', message }`, or what
 * an `RpcException` carried); as an Error with code, message and details they reach the caller
 * as a `RemoteError` (and an event handler's failure goes through retry and the dead-letter queue).
 */
function asRemoteError(error: unknown): Error {
  if (error instanceof Error) return error;
  if (typeof error === 'object' && error !== null) {
    const fields = error as { code?: unknown; message?: unknown };
    const text = typeof fields.message === 'string' ? fields.message : JSON.stringify(error);
    return Object.assign(new Error(text), { code: typeof fields.code === 'string' ? fields.code : 'RPC_EXCEPTION', details: error });
  }
  return Object.assign(new Error(String(error)), { code: 'RPC_EXCEPTION' });
}
