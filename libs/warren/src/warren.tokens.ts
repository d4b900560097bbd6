import { Inject } from '@nestjs/common';
import { WarrenConsumers } from './consumer/warren-consumers';
import { MessageProducer } from './producer/message-producer';
import { RpcClient } from './rpc/rpc-client';

/** The name of a `WarrenModule` registered without one. */
export const DEFAULT_CONNECTION_NAME = 'default';

function isDefault(name: string | undefined): boolean {
  return name === undefined || name === DEFAULT_CONNECTION_NAME;
}

/** Injection token of the `MessageProducer` of the connection called `name` (the class itself for the default one). */
export function getProducerToken(name?: string): string | typeof MessageProducer {
  return isDefault(name) ? MessageProducer : `warren:${name}:MessageProducer`;
}

/** Injection token of the `RpcClient` of the connection called `name` (the class itself for the default one). */
export function getRpcClientToken(name?: string): string | typeof RpcClient {
  return isDefault(name) ? RpcClient : `warren:${name}:RpcClient`;
}

/**
 * Injection token of the `WarrenConsumers` of the connection called `name` (the class itself for the default one).
 */
export function getConsumersToken(name?: string): string | typeof WarrenConsumers {
  return isDefault(name) ? WarrenConsumers : `warren:${name}:WarrenConsumers`;
}

/** `@InjectProducer('analytics') producer: MessageProducer` — the producer of a named connection. */
export const InjectProducer = (name?: string): ParameterDecorator => Inject(getProducerToken(name));
/** `@InjectRpcClient('analytics') rpc: RpcClient` — the RPC client of a named connection. */
export const InjectRpcClient = (name?: string): ParameterDecorator => Inject(getRpcClientToken(name));
/** `@InjectConsumers('analytics') consumers: WarrenConsumers` — the consumers of a named connection. */
export const InjectConsumers = (name?: string): ParameterDecorator => Inject(getConsumersToken(name));
