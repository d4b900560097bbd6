import { Module } from '@nestjs/common';
import { MessageHandlerErrorBehavior, RabbitMQModule } from 'nestjs-warren/golevelup';
import { AuditHandler } from './audit.handler';

/** A golevelup 9 application's module, unchanged except for the import path. */
@Module({
  imports: [
    RabbitMQModule.forRootAsync({
      useFactory: () => ({
        uri: process.env.RABBITMQ_URL ?? 'amqp://guest:guest@127.0.0.1:5672',
        exchanges: [
          { name: 'warren.demo.orders', type: 'topic' },
          { name: 'warren.demo.rpc', type: 'direct' },
        ],
        prefetchCount: 10,
        defaultRpcTimeout: 5000,
        // golevelup's NACK: a failed message is rejected — Warren parks it in the dead-letter queue.
        defaultSubscribeErrorBehavior: MessageHandlerErrorBehavior.NACK,
        connectionInitOptions: { wait: true, timeout: 10000 },
      }),
    }),
  ],
  providers: [AuditHandler],
})
export class GolevelupAppModule {}
