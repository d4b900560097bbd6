import { DynamicModule, Logger, Module, Provider } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { BrokerConnection } from './connection/broker-connection';
import { WarrenConsumers } from './consumer/warren-consumers';
import type { WarrenModuleAsyncOptions, WarrenModuleOptions } from './interfaces';
import { WarrenLogger } from './logging/warren-logger';
import { MessageProducer } from './producer/message-producer';
import { RpcClient } from './rpc/rpc-client';
import { WarrenMetadataAccessor } from './warren-metadata.accessor';
import { ResolvedWarrenOptions, resolveOptions } from './warren-options';
import { WARREN_MODULE_OPTIONS } from './warren.constants';
import { WarrenExplorer } from './warren.explorer';
import { WarrenOrchestrator } from './warren.orchestrator';
import { WARREN_RESOLVED_OPTIONS } from './warren.providers';

/**
 * RabbitMQ for a Nest application: import it once (it is global by default) and inject
 * `MessageProducer` and `RpcClient` anywhere; `@RabbitSubscribe` / `@RabbitRPC` methods on
 * providers and controllers are found and consumed.
 */
@Module({})
export class WarrenModule {
  static forRoot(options: WarrenModuleOptions & { isGlobal?: boolean } = {}): DynamicModule {
    const { isGlobal = true, ...moduleOptions } = options;
    return WarrenModule.build([{ provide: WARREN_MODULE_OPTIONS, useValue: moduleOptions }], [], isGlobal);
  }

  static forRootAsync(options: WarrenModuleAsyncOptions): DynamicModule {
    const provider: Provider = {
      provide: WARREN_MODULE_OPTIONS,
      useFactory: options.useFactory,
      inject: options.inject ?? [],
    };
    return WarrenModule.build([provider], options.imports ?? [], options.isGlobal ?? true);
  }

  private static build(optionsProviders: Provider[], imports: DynamicModule['imports'], global: boolean): DynamicModule {
    return {
      module: WarrenModule,
      global,
      imports: [DiscoveryModule, ...(imports ?? [])],
      providers: [
        ...optionsProviders,
        {
          provide: WARREN_RESOLVED_OPTIONS,
          useFactory: (options: WarrenModuleOptions) => resolveOptions(options),
          inject: [WARREN_MODULE_OPTIONS],
        },
        {
          provide: WarrenLogger,
          useFactory: (options: ResolvedWarrenOptions) =>
            new WarrenLogger('Warren', options.logger === undefined ? new Logger() : options.logger),
          inject: [WARREN_RESOLVED_OPTIONS],
        },
        {
          provide: BrokerConnection,
          useFactory: (options: ResolvedWarrenOptions, logger: WarrenLogger) =>
            BrokerConnection.connect(options, logger.child('Warren')),
          inject: [WARREN_RESOLVED_OPTIONS, WarrenLogger],
        },
        MessageProducer,
        RpcClient,
        WarrenMetadataAccessor,
        WarrenExplorer,
        WarrenOrchestrator,
        WarrenConsumers,
      ],
      exports: [MessageProducer, RpcClient, WarrenConsumers, BrokerConnection],
    };
  }
}
