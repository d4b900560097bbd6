import { Injectable } from '@nestjs/common';
import type { ConsumeMessage } from 'amqplib';
// Written against golevelup 9's API: moving to Warren changed only this import path
// (it was '@golevelup/nestjs-rabbitmq').
import { AmqpConnection, Nack, RabbitSubscribe } from 'nestjs-warren/golevelup';

interface OrderCreated {
  id: string;
  amount: number;
}

@Injectable()
export class AuditHandler {
  constructor(private readonly amqpConnection: AmqpConnection) {}

  /** Audits every created order: asks the math service to check the amount, then prints the result. */
  @RabbitSubscribe({
    exchange: 'warren.demo.orders',
    routingKey: 'order.created',
    queue: 'warren.demo.golevelup-audit',
    queueOptions: { durable: true },
  })
  async audit(order: OrderCreated, raw: ConsumeMessage): Promise<Nack | void> {
    if (typeof order?.id !== 'string') return new Nack(); // failed for good: parked with the reason
    const { sum } = await this.amqpConnection.request<{ sum: number }>({
      exchange: 'warren.demo.rpc',
      routingKey: 'math.sum',
      payload: { a: order.amount, b: 0 },
      timeout: 5000,
    });
    process.stdout.write(`AUDIT ${raw.fields.routingKey} ${order.id} ${sum}\n`);
  }
}
