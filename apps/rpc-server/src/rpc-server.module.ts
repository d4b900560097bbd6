import { Module } from '@nestjs/common';
import { WarrenModule } from 'nestjs-warren';
import { DEMO_EXCHANGES } from '../../shared/contracts';
import { MathService } from './math.service';
import { ReportsService } from './reports.service';

@Module({
  imports: [WarrenModule.forRoot({ exchanges: DEMO_EXCHANGES, connection: { name: 'rpc-server' } })],
  providers: [MathService, ReportsService],
})
export class RpcServerModule {}
