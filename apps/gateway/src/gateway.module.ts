import { Module } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { WarrenModule } from 'nestjs-warren';
import { TerminusModule } from '@nestjs/terminus';
import { WarrenHealthModule } from 'nestjs-warren/health';
import { HealthController } from './health.controller';
import { DEMO_EXCHANGES } from '../../shared/contracts';
import { MathController } from './math.controller';
import { OrdersController } from './orders.controller';
import { RemoteErrorFilter } from './remote-error.filter';

@Module({
  // An HTTP caller should hear 504 after 3 s rather than wait out the 10 s default.
  imports: [WarrenModule.forRoot({ exchanges: DEMO_EXCHANGES, connection: { name: 'gateway' }, rpc: { timeoutMs: 3_000 } }), TerminusModule, WarrenHealthModule],
  controllers: [OrdersController, MathController, HealthController],
  providers: [{ provide: APP_FILTER, useClass: RemoteErrorFilter }],
})
export class GatewayModule {}
