import type { DynamicModule } from '@nestjs/common';
import { WarrenModule, WarrenModuleOptions } from 'nestjs-warren';
import { MemoryBroker, WarrenTestingModule } from 'nestjs-warren/testing';

/**
 * The brokers the contract suite runs against: every behaviour in test/contract is written once and
 * must hold on each. A contract test talks to the broker only through Warren's public API (decorators,
 * MessageProducer, RpcClient, WarrenConsumers), never through rabbitmqctl or a raw amqplib client.
 */


/** Apps of one test that use the same queue must meet on the same in-memory broker, as they would on RabbitMQ. */
const SHARED_MEMORY_BROKER = new MemoryBroker();

export interface BrokerUnderTest {
  name: string;
  /** The module a user's test imports in place of WarrenModule.forRoot. */
  module(options: WarrenModuleOptions): DynamicModule;
}

export const BROKERS: BrokerUnderTest[] = [
  { name: 'RabbitMQ', module: (options) => WarrenModule.forRoot(options) },
  // One in-memory broker per app: contract tests that start a second app on the same queue share it.
  { name: 'the in-memory broker', module: (options) => WarrenTestingModule.forRoot({ ...options, broker: SHARED_MEMORY_BROKER }) },
];
