import { Injectable, Logger } from '@nestjs/common';
import type { ConsumeMessage } from 'amqplib';
import { RabbitPayload, RabbitRequest, RabbitSubscribe } from 'nestjs-warren';
import { ORDERS_EXCHANGE, OrderEventDto, QUEUES } from '../../shared/contracts';

/**
 * Topic consumers with wildcard bindings. Warren validates each payload against OrderEventDto
 * before these run; an invalid event is parked in `<queue>.dlq`, never redelivered in a loop.
 */
@Injectable()
export class OrderEventsHandler {
  private readonly logger = new Logger(OrderEventsHandler.name);

  /** Every order event one level deep: order.created, order.viewed, ... */
  @RabbitSubscribe({ exchange: ORDERS_EXCHANGE, routingKey: 'order.*', queue: QUEUES.orderEvents })
  onOrderEvent(@RabbitPayload() event: OrderEventDto, @RabbitRequest() message: ConsumeMessage) {
    this.report(QUEUES.orderEvents, message.fields.routingKey, event);
  }

  /** Failures at any depth: order.failed, order.eu.payment.failed, ... */
  @RabbitSubscribe({ exchange: ORDERS_EXCHANGE, routingKey: 'order.#.failed', queue: QUEUES.orderFailures })
  onOrderFailure(@RabbitPayload() event: OrderEventDto, @RabbitRequest() message: ConsumeMessage) {
    this.report(QUEUES.orderFailures, message.fields.routingKey, event);
  }

  private report(queue: string, routingKey: string, event: OrderEventDto) {
    this.logger.log(`${routingKey}: order ${event.id} (${event.amount})${event.reason ? `, ${event.reason}` : ''}`);
    // One machine-readable line per event, for scripts/demo.js.
    process.stdout.write(`EVENT ${queue} ${routingKey} ${event.id}\n`);
  }
}
