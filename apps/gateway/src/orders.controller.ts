import { Body, Controller, HttpCode, Param, Post } from '@nestjs/common';
import { MessageProducer } from 'nestjs-warren';
import { ORDERS_EXCHANGE, OrderEventDto, ROUTES, orderCreated, paymentFailed } from '../../shared/contracts';

/** The web backend's side of the bus: it announces what happened and lets workers react. */
@Controller('orders')
export class OrdersController {
  constructor(private readonly producer: MessageProducer) {}

  /** Waits for the broker's confirm: a 202 means the event is safely with RabbitMQ. */
  @Post()
  @HttpCode(202)
  async create(@Body() order: OrderEventDto) {
    await this.producer.publish(orderCreated, order);
    return { published: true };
  }

  @Post(':id/fail')
  @HttpCode(202)
  async fail(@Param('id') id: string, @Body() body: { reason?: string }) {
    await this.producer.publish(paymentFailed, { id, amount: 0, reason: body.reason ?? 'unknown' });
    return { published: true };
  }

  /** Fire-and-forget on the hot path: returns at once; failures go to the log. */
  @Post(':id/viewed')
  @HttpCode(202)
  viewed(@Param('id') id: string) {
    this.producer.emit(ORDERS_EXCHANGE, ROUTES.orderViewed, { id, amount: 0 });
    return { emitted: true };
  }
}
