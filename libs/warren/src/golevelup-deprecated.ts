// The golevelup-compatible API as the root exported it before `nestjs-warren/golevelup` existed:
// kept for one minor version, each name marked deprecated (editors strike it through).
export {
  /** @deprecated Import it from 'nestjs-warren/golevelup'; the root export goes away in the next minor version. */
  RabbitMQModule,
  /** @deprecated Import it from 'nestjs-warren/golevelup'; the root export goes away in the next minor version. */
  AmqpConnection,
  /** @deprecated Import it from 'nestjs-warren/golevelup'; the root export goes away in the next minor version. */
  AmqpConnectionManager,
  /** @deprecated Import it from 'nestjs-warren/golevelup'; the root export goes away in the next minor version. */
  RABBIT_CONFIG_TOKEN,
  /** @deprecated Import it from 'nestjs-warren/golevelup'; the root export goes away in the next minor version. */
  InjectRabbitMQConfig,
  /** @deprecated Import it from 'nestjs-warren/golevelup'; the root export goes away in the next minor version. */
  PRECONDITION_FAILED_CODE,
  /** @deprecated Import it from 'nestjs-warren/golevelup'; the root export goes away in the next minor version. */
  ackErrorHandler,
  /** @deprecated Import it from 'nestjs-warren/golevelup'; the root export goes away in the next minor version. */
  requeueErrorHandler,
  /** @deprecated Import it from 'nestjs-warren/golevelup'; the root export goes away in the next minor version. */
  defaultNackErrorHandler,
  /** @deprecated Import it from 'nestjs-warren/golevelup'; the root export goes away in the next minor version. */
  getHandlerForLegacyBehavior,
  /** @deprecated Import it from 'nestjs-warren/golevelup'; the root export goes away in the next minor version. */
  defaultAssertQueueErrorHandler,
  /** @deprecated Import it from 'nestjs-warren/golevelup'; the root export goes away in the next minor version. */
  forceDeleteAssertQueueErrorHandler,
} from './golevelup';
export type {
  /** @deprecated Import it from 'nestjs-warren/golevelup'; the root export goes away in the next minor version. */
  RabbitMQConfigFactory,
  /** @deprecated Import it from 'nestjs-warren/golevelup'; the root export goes away in the next minor version. */
  RabbitMQModuleAsyncOptions,
  /** @deprecated Import it from 'nestjs-warren/golevelup'; the root export goes away in the next minor version. */
  AssertQueueErrorHandler,
  /** @deprecated Import it from 'nestjs-warren/golevelup'; the root export goes away in the next minor version. */
  RabbitMQUriConfig,
  /** @deprecated Import it from 'nestjs-warren/golevelup'; the root export goes away in the next minor version. */
  RabbitMQExchangeConfig,
  /** @deprecated Import it from 'nestjs-warren/golevelup'; the root export goes away in the next minor version. */
  RabbitMQQueueConfig,
  /** @deprecated Import it from 'nestjs-warren/golevelup'; the root export goes away in the next minor version. */
  RabbitMQExchangeBindingConfig,
  /** @deprecated Import it from 'nestjs-warren/golevelup'; the root export goes away in the next minor version. */
  RabbitMQChannelConfig,
  /** @deprecated Import it from 'nestjs-warren/golevelup'; the root export goes away in the next minor version. */
  RabbitMQChannels,
  /** @deprecated Import it from 'nestjs-warren/golevelup'; the root export goes away in the next minor version. */
  RabbitMQHandlers,
  /** @deprecated Import it from 'nestjs-warren/golevelup'; the root export goes away in the next minor version. */
  ConnectionInitOptions,
  /** @deprecated Import it from 'nestjs-warren/golevelup'; the root export goes away in the next minor version. */
  RabbitMQConfig,
  /** @deprecated Import it from 'nestjs-warren/golevelup'; the root export goes away in the next minor version. */
  RabbitHandlerConfig,
  /** @deprecated Import it from 'nestjs-warren/golevelup'; the root export goes away in the next minor version. */
  MessageOptions,
  /** @deprecated Import it from 'nestjs-warren/golevelup'; the root export goes away in the next minor version. */
  AmqpRequestOptions,
  /** @deprecated Import it from 'nestjs-warren/golevelup'; the root export goes away in the next minor version. */
  ConsumerTag,
  /** @deprecated Import it from 'nestjs-warren/golevelup'; the root export goes away in the next minor version. */
  SubscriptionResult,
  /** @deprecated Import it from 'nestjs-warren/golevelup'; the root export goes away in the next minor version. */
  SubscribeResponse,
  /** @deprecated Import it from 'nestjs-warren/golevelup'; the root export goes away in the next minor version. */
  RpcResponse,
  /** @deprecated Import it from 'nestjs-warren/golevelup'; the root export goes away in the next minor version. */
  SubscriberHandler,
  /** @deprecated Import it from 'nestjs-warren/golevelup'; the root export goes away in the next minor version. */
  RpcSubscriberHandler,
} from './golevelup';
