import type { DynamicModule } from '@nestjs/common';
import { WarrenModule, WarrenModuleOptions } from 'nestjs-warren';
import { MemoryBroker, WarrenTestingModule } from 'nestjs-warren/testing';

/**
 * The brokers the contract suite runs against: every behaviour in test/contract is written once and
 * must hold on each. A contract test talks to the broker only through Warren's public API (decorators,
 * MessageProducer, RpcClient, WarrenConsumers, WarrenStatus), never through rabbitmqctl or a raw amqplib client.
 *
 * 'RabbitMQ' is the test target (test/support/target.ts): the machine's broker (3.10) by default, and
 * each broker of the matrix in turn under `npm run test:brokers` (4.0, 4.3; scripts/brokers.js), so the
 * suite runs on 3.10, 4.0 and 4.3. The in-memory broker runs it twice: as RabbitMQ 4.3 (its default)
 * and as 3.13, whose delivery counting is that of every version before 4.3. Where versions differ, a
 * test reads the version from the broker (`brokerVersion` in ./harness) and asserts that version's behaviour.
 */

/** Versions the in-memory broker emulates in this suite. */
const MEMORY_VERSIONS = ['4.3.6', '3.13.7'];

export interface BrokerUnderTest {
  name: string;
  /** The module a user's test imports in place of WarrenModule.forRoot. */
  module(options: WarrenModuleOptions): DynamicModule;
}

/** Apps of one test that use the same queue must meet on the same in-memory broker, as they would on RabbitMQ. */
function inMemory(version: string): BrokerUnderTest {
  const shared = new MemoryBroker({ version });
  return { name: `the in-memory broker as RabbitMQ ${version}`, module: (options) => WarrenTestingModule.forRoot({ ...options, broker: shared }) };
}

export const BROKERS: BrokerUnderTest[] = [{ name: 'RabbitMQ', module: (options) => WarrenModule.forRoot(options) }, ...MEMORY_VERSIONS.map(inMemory)];
