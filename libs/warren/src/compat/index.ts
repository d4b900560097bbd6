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
