import { DynamicModule, INestApplication, Injectable, LoggerService, Type } from '@nestjs/common';
import * as golevelup from '@golevelup/nestjs-rabbitmq';
import * as warren from 'nestjs-warren/golevelup';
import { startApp } from './app';

/**
 * The same application code on @golevelup/nestjs-rabbitmq 9 itself and on `nestjs-warren/golevelup`:
 * a library is picked by name, and the handler classes below are decorated with its decorators,
 * so the two apps differ in nothing but the package they import.
 */
export type LibraryName = 'golevelup' | 'warren';

/** What the tests use of either library (both have these names with these shapes). */
export interface Library {
  RabbitMQModule: { forRoot(config: Record<string, unknown>): DynamicModule };
  RabbitSubscribe(options: Record<string, unknown>): MethodDecorator;
  RabbitRPC(options: Record<string, unknown>): MethodDecorator;
  AmqpConnection: Type<GolevelupConnection>;
  AmqpConnectionManager: Type<{ getConnection(name: string): unknown }>;
  RabbitPayload(property?: string): ParameterDecorator;
  RabbitHeader(property?: string): ParameterDecorator;
  Nack: new (requeue?: boolean) => unknown;
  MessageHandlerErrorBehavior: { ACK: string; NACK: string; REQUEUE: string };
}

/** The AmqpConnection methods the tests call, as both libraries declare them. */
export interface GolevelupConnection {
  readonly channel: import('amqplib').Channel;
  readonly managedConnection: { isConnected(): boolean };
  createSubscriber(handler: (payload: unknown) => unknown, options: Record<string, unknown>, name: string): Promise<{ consumerTag: string }>;
  publish(exchange: string, routingKey: string, message: unknown, options?: Record<string, unknown>): Promise<boolean>;
  request<T>(options: { exchange: string; routingKey: string; payload?: unknown; timeout?: number; headers?: Record<string, unknown> }): Promise<T>;
}

export const LIBRARIES: Record<LibraryName, Library> = {
  golevelup: golevelup as unknown as Library,
  warren: warren as unknown as Library,
};

const silentLogger: LoggerService = { log: () => undefined, error: () => undefined, warn: () => undefined, debug: () => undefined, verbose: () => undefined };

/** A handler's view of one delivery: the payload it was given and the message's headers. */
export interface Received {
  payload: unknown;
  headers: Record<string, unknown>;
}

/** A subscriber on `queue`, bound to `exchange` with `routingKey`, recording what it is handed. */
export function subscriber(library: Library, options: Record<string, unknown>, into: Received[]): Type<unknown> {
  @Injectable()
  class Subscriber {
    @library.RabbitSubscribe(options)
    handle(payload: unknown, message: { properties: { headers?: Record<string, unknown> } }) {
      into.push({ payload, headers: { ...message.properties.headers } });
    }
  }
  return Subscriber;
}

/** An RPC handler on `queue` answering with `answer(payload)`. */
export function responder(library: Library, options: Record<string, unknown>, answer: (payload: unknown) => unknown): Type<unknown> {
  @Injectable()
  class Responder {
    @library.RabbitRPC(options)
    handle(payload: unknown) {
      return answer(payload);
    }
  }
  return Responder;
}

/** Starts an app on `library` with golevelup's module options and the given handler classes. */
export function startGolevelupApp(library: Library, config: Record<string, unknown>, providers: Array<Type<unknown>>): Promise<INestApplication> {
  return startApp({ imports: [library.RabbitMQModule.forRoot({ logger: silentLogger, ...config })], providers });
}
