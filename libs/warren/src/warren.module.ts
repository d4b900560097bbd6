import { DynamicModule, Logger, Module, Provider } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { BrokerConnection } from './connection/broker-connection';
import { BrokerConnector, WARREN_CONNECTOR } from './connection/broker-link';
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
import { WarrenStatus } from './health/warren-status';
import { MessageObservers } from './observers/message-observers';
import { getConsumersToken, getProducerToken, getRpcClientToken } from './warren.tokens';
import { WARREN_RESOLVED_OPTIONS } from './warren.providers';
import { WarrenAsyncApi, getAsyncApiToken } from './asyncapi/warren-asyncapi';

/**
 * RabbitMQ for a Nest application: import it once (it is global by default) and inject
 * `MessageProducer` and `RpcClient` anywhere; `@RabbitSubscribe` / `@RabbitRPC` methods on
 * providers and controllers are found and consumed.
 */
@Module({})
export class WarrenModule {
  /**
   * The module with these options (every one has a default: `WarrenModule.forRoot()` connects to
   * `RABBITMQ_URL`, else amqp://guest:guest@127.0.0.1:5672). Global unless `isGlobal: false`.
   */
  static forRoot(options: WarrenModuleOptions & { isGlobal?: boolean } = {}): DynamicModule {
    const { isGlobal = true, ...moduleOptions } = options;
    return WarrenModule.build([{ provide: WARREN_MODULE_OPTIONS, useValue: moduleOptions }], [], isGlobal, options.name);
  }

  /** The module with options built by `useFactory` (e.g. from `ConfigService`). */
  static forRootAsync(options: WarrenModuleAsyncOptions): DynamicModule {
    const { name } = options;
    const provider: Provider = {
      provide: WARREN_MODULE_OPTIONS,
      // A name given here wins over one the factory returns (the injection tokens are made from it).
      useFactory: async (...args: unknown[]) => {
        const built = await options.useFactory(...args);
        return name === undefined ? built : { ...built, name };
      },
      inject: options.inject ?? [],
    };
    return WarrenModule.build([provider], options.imports ?? [], options.isGlobal ?? true, name);
  }

  private static build(optionsProviders: Provider[], imports: DynamicModule['imports'], global: boolean, name?: string): DynamicModule {
    // A named connection's producer, RPC client and consumers are also injectable by name.
    const named = [
      { provide: getProducerToken(name), useExisting: MessageProducer },
      { provide: getRpcClientToken(name), useExisting: RpcClient },
      { provide: getConsumersToken(name), useExisting: WarrenConsumers },
      { provide: getAsyncApiToken(name), useExisting: WarrenAsyncApi },
    ].filter((alias) => typeof alias.provide === 'string');
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
          // A connector provided by nestjs-warren/testing's module (the in-memory broker) wins over the options'.
          useFactory: (options: ResolvedWarrenOptions, logger: WarrenLogger, connector?: BrokerConnector) =>
            BrokerConnection.connect(options, logger.child('Warren'), connector ?? undefined),
          inject: [WARREN_RESOLVED_OPTIONS, WarrenLogger, { token: WARREN_CONNECTOR, optional: true }],
        },
        MessageProducer,
        RpcClient,
        WarrenMetadataAccessor,
        WarrenExplorer,
        WarrenOrchestrator,
        WarrenConsumers,
        WarrenStatus,
        MessageObservers,
        WarrenAsyncApi,
        ...named,
      ],
      // A named connection is reached by its name only, so the default one stays unambiguous.
      exports: named.length > 0 ? named.map((alias) => alias.provide) : [MessageProducer, RpcClient, WarrenConsumers, BrokerConnection, WarrenStatus, MessageObservers, WarrenLogger, WarrenAsyncApi],
    };
  }
}
