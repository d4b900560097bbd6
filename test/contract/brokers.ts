import type { DynamicModule } from '@nestjs/common';
import { WarrenModule, WarrenModuleOptions } from 'nestjs-warren';

/**
 * The brokers the contract suite runs against: every behaviour in test/contract is written once and
 * must hold on each. A contract test talks to the broker only through Warren's public API (decorators,
 * MessageProducer, RpcClient, WarrenConsumers), never through rabbitmqctl or a raw amqplib client.
 */
export interface BrokerUnderTest {
  name: string;
  /** The module a user's test imports in place of WarrenModule.forRoot. */
  module(options: WarrenModuleOptions): DynamicModule;
}

export const BROKERS: BrokerUnderTest[] = [{ name: 'RabbitMQ', module: (options) => WarrenModule.forRoot(options) }];
