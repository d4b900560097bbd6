export { WarrenModule } from './warren.module';
export { MessageProducer } from './producer/message-producer';
export type { EmitFailure } from './producer/message-producer';
export { RpcClient } from './rpc/rpc-client';
export { WarrenConsumers } from './consumer/warren-consumers';
export type { ConsumerState } from './consumer/warren-consumers';
export { RabbitSubscribe, RabbitRPC } from './decorators/rabbit-handler.decorators';
export { RabbitPayload, RabbitHeader, RabbitRequest } from './decorators/rabbit-params.decorators';
export { isRabbitContext } from './rabbit-context';
export { Nack } from './consumer/nack';
export { DEFAULT_CONNECTION_NAME, getProducerToken, getRpcClientToken, getConsumersToken, InjectProducer, InjectRpcClient, InjectConsumers } from './warren.tokens';
export { WARREN_CONTEXT_TYPE } from './warren.constants';
export * from './errors';
export * from './interfaces';
export { BrokerConnection } from './connection/broker-connection';
// golevelup's public names, for applications moving from @golevelup/nestjs-rabbitmq.
export * from './compat';
