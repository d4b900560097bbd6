import { DynamicModule, Global, Module } from '@nestjs/common';
import { WARREN_CONNECTOR } from '../connection/broker-link';
import type { WarrenModuleOptions } from '../interfaces';
import { WarrenModule } from '../warren.module';
import { MemoryBroker } from './memory/memory-broker';
import { memoryConnector } from './memory/memory-connection';
import { WarrenTestHarness } from './warren-test-harness';

/** Options of `WarrenTestingModule.forRoot`: `WarrenModule`'s, plus the broker to use. */
export interface WarrenTestingModuleOptions extends WarrenModuleOptions {
  /** Share one in-memory broker between several apps of a test (e.g. a client app and a server app). @default a new one */
  broker?: MemoryBroker;
}

/**
 * `WarrenModule.forRoot` for tests, on an in-memory broker instead of RabbitMQ: the same decorators,
 * `MessageProducer`, `RpcClient`, retries, dead-letter queues, validation, guards, interceptors and
 * pipes — user code does not change. Also provides the `MemoryBroker` (to inspect queues or drop
 * connections) and a `WarrenTestHarness`.
 */
@Global()
@Module({})
export class WarrenTestingModule {
  /**
   * Keeps your application's own `WarrenModule.forRoot(...)` and moves it onto an in-memory broker:
   * `Test.createTestingModule({ imports: [AppModule, WarrenTestingModule.inMemory()] })`.
   */
  static inMemory(options: { broker?: MemoryBroker } = {}): DynamicModule {
    const broker = options.broker ?? new MemoryBroker();
    return {
      module: WarrenTestingModule,
      providers: [{ provide: MemoryBroker, useValue: broker }, { provide: WARREN_CONNECTOR, useValue: memoryConnector(broker) }, WarrenTestHarness],
      exports: [MemoryBroker, WARREN_CONNECTOR, WarrenTestHarness],
    };
  }

  /** In place of `WarrenModule.forRoot(options)`, on an in-memory broker. */
  static forRoot(options: WarrenTestingModuleOptions = {}): DynamicModule {
    const { broker, ...warrenOptions } = options;
    return { ...WarrenTestingModule.inMemory({ broker }), imports: [WarrenModule.forRoot(warrenOptions)] };
  }
}
