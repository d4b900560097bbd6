import { Module } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { WarrenModule } from 'nestjs-warren';
import { TerminusModule } from '@nestjs/terminus';
import { WarrenHealthModule } from 'nestjs-warren/health';
import { HealthController } from './health.controller';
import { WarrenAsyncApiController } from 'nestjs-warren/asyncapi';
import { DEMO_EXCHANGES, mathSum, orderCreated, paymentFailed, reportsGenerate } from '../../shared/contracts';
import { MathController } from './math.controller';
import { OrdersController } from './orders.controller';
import { RemoteErrorFilter } from './remote-error.filter';

@Module({
  imports: [
    WarrenModule.forRoot({
      exchanges: DEMO_EXCHANGES,
      connection: { name: 'gateway' },
      // An HTTP caller should hear 504 after 3 s rather than wait out the 10 s default.
      rpc: { timeoutMs: 3_000 },
      // What this service sends, for its AsyncAPI document (GET /asyncapi.json).
      contracts: [mathSum, reportsGenerate, orderCreated, paymentFailed],
    }),
    TerminusModule,
    WarrenHealthModule,
  ],
  controllers: [OrdersController, MathController, HealthController, WarrenAsyncApiController],
  providers: [{ provide: APP_FILTER, useClass: RemoteErrorFilter }],
})
export class GatewayModule {}
