import { Inject } from '@nestjs/common';

/** The golevelup configuration given to `RabbitMQModule.forRoot` (golevelup's token name). */
export const RABBIT_CONFIG_TOKEN = 'RABBIT_CONFIG_TOKEN';
/** Holds the `useClass` / `useExisting` factory of `RabbitMQModule.forRootAsync`. */
export const RABBIT_CONFIG_FACTORY = 'RABBIT_CONFIG_FACTORY';

/** Injects the `RabbitMQConfig` the `RabbitMQModule` was given (golevelup's decorator). */
export const InjectRabbitMQConfig = (): ParameterDecorator => Inject(RABBIT_CONFIG_TOKEN);
