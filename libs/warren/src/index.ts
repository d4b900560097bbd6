/**
 * The module, decorators, producer, RPC client, consumers, contracts, components, errors and golevelup-compatible names.
 *
 * @module nestjs-warren
 */
export { WarrenModule } from './warren.module';
export { MessageProducer } from './producer/message-producer';
export type { EmitFailure } from './producer/message-producer';
export { RpcClient } from './rpc/rpc-client';
export { WarrenConsumers } from './consumer/warren-consumers';
export type { RunTimeHandler } from './consumer/warren-consumers';
export { createWarren } from './warren.standalone';
export type { Warren } from './warren.standalone';
export type { ConsumerState, PauseCause, CircuitBreakerState } from './consumer/warren-consumers';
export { RabbitSubscribe, RabbitRPC } from './decorators/rabbit-handler.decorators';
export { RabbitPayload, RabbitHeader, RabbitRequest, RabbitSignal, RabbitOrigin } from './decorators/rabbit-params.decorators';
export type { DeliveryOrigin } from './consumer/delivery-origin';
export type { RabbitPayloadOptions } from './decorators/rabbit-params.decorators';
export type { StandardSchemaV1, StandardSchemaIssue, StandardSchemaResult, SchemaInput, SchemaOutput } from './validation/standard-schema';
export { isRabbitContext, rabbitOrigin } from './rabbit-context';
export { Nack } from './consumer/nack';
export { DEFAULT_CONNECTION_NAME, getProducerToken, getRpcClientToken, getConsumersToken, InjectProducer, InjectRpcClient, InjectConsumers } from './warren.tokens';
export { WARREN_CONTEXT_TYPE } from './warren.constants';
export * from './errors';
export * from './interfaces';
export * from './topology';
export { BrokerConnection } from './connection/broker-connection';
// golevelup's API lives in 'nestjs-warren/golevelup'; these root names are deprecated.
export * from './golevelup-deprecated';
export * from './components';
export * from './contracts';
export { WarrenStatus } from './health/warren-status';
export type { ConnectionHealth, WarrenHealth, GaveUpState } from './health/warren-status';
export type { WarrenEventMap, WarrenEventName, WarrenEventListener, ConsumerPauseCause } from './connection/warren-events';
export * from './log-channels';
export { MessageObservers } from './observers/message-observers';
export type { MessageObserver, PublishedRecord, ConsumedRecord, DeliveryOutcome } from './observers/message-observers';
