import { Module } from '@nestjs/common';
import { WarrenModule } from 'nestjs-warren';
import { DEMO_EXCHANGES } from '../../shared/contracts';
import { OrderEventsHandler } from './order-events.handler';

@Module({
  imports: [WarrenModule.forRoot({ exchanges: DEMO_EXCHANGES, connection: { name: 'topic-consumer' } })],
  providers: [OrderEventsHandler],
})
export class TopicConsumerModule {}
