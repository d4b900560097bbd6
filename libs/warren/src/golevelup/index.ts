/**
 * `nestjs-warren/golevelup`: @golevelup/nestjs-rabbitmq 9's public API, on Warren. An application
 * moves over by changing its import path; its configuration, decorators, AmqpConnection calls and
 * wire format stay golevelup's. Nothing here loads golevelup itself (only `golevelupConnector`
 * does, when it connects).
 *
 * @module nestjs-warren/golevelup
 */
export { RabbitMQModule } from './rabbitmq.module';
export type { RabbitMQConfigFactory, RabbitMQModuleAsyncOptions } from './rabbitmq.module';
export { AmqpConnection } from './amqp-connection';
export { AmqpConnectionManager } from './amqp-connection-manager';
export { RABBIT_CONFIG_TOKEN, InjectRabbitMQConfig } from './compat.constants';
export {
  PRECONDITION_FAILED_CODE,
  ackErrorHandler,
  requeueErrorHandler,
  defaultNackErrorHandler,
  getHandlerForLegacyBehavior,
  defaultAssertQueueErrorHandler,
  forceDeleteAssertQueueErrorHandler,
} from './error-handlers';
export type { AssertQueueErrorHandler } from './error-handlers';
export * from './rabbitmq-config.interface';
export {
  RABBIT_HANDLER,
  RABBIT_PARAM_TYPE,
  RABBIT_HEADER_TYPE,
  RABBIT_REQUEST_TYPE,
  RABBIT_CONTEXT_TYPE_KEY,
  RABBIT_ARGS_METADATA,
  RabbitHandler,
  makeRabbitDecorator,
  createPipesRpcParamDecorator,
  RabbitRpcParamsFactory,
  resolveHandlerConfigs,
} from './golevelup-decorators';
export { NullMessageError } from './golevelup-errors';
export { golevelupConnector } from './golevelup-connector';
// Warren's own names that golevelup's API has too.
export { RabbitSubscribe, RabbitRPC } from '../decorators/rabbit-handler.decorators';
export { RabbitPayload, RabbitHeader, RabbitRequest } from '../decorators/rabbit-params.decorators';
export { isRabbitContext } from '../rabbit-context';
export { Nack } from '../consumer/nack';
export { RpcTimeoutError } from '../errors/rpc-timeout.error';
export { ChannelNotAvailableError, ConnectionNotAvailableError } from '../errors/connection.error';
export { MessageHandlerErrorBehavior } from '../interfaces/error-handling.interface';
export type { BatchMessageErrorHandler, BatchOptions } from '../interfaces/batch-options.interface';
export type { MessageDeserializer, MessageErrorHandler, MessageSerializer } from '../interfaces/error-handling.interface';
export type { MessageHandlerOptions, QueueOptions, RabbitHandlerType, RabbitSubscribeBinding } from '../interfaces/handler-options.interface';
