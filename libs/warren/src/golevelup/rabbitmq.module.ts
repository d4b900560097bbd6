import { DynamicModule, Logger, LoggerService, Module, Provider, Type } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { BrokerConnection } from '../connection/broker-connection';
import { WarrenConsumers } from '../consumer/warren-consumers';
import { MessageProducer } from '../producer/message-producer';
import { RpcClient } from '../rpc/rpc-client';
import { WarrenModule } from '../warren.module';
import { MESSAGES } from '../warren.messages';
import { WarrenConfigurationError } from '../errors/configuration.error';
import { AmqpConnection } from './amqp-connection';
import { AmqpConnectionManager } from './amqp-connection-manager';
import { RABBIT_CONFIG_FACTORY, RABBIT_CONFIG_TOKEN } from './compat.constants';
import { translateConfig } from './config-translation';
import type { RabbitMQConfig } from './rabbitmq-config.interface';

/** A class that builds the configuration (golevelup's `useClass` / `useExisting`). */
export interface RabbitMQConfigFactory {
  /** Builds the module's configuration. */
  create(): RabbitMQConfig | Promise<RabbitMQConfig>;
}

/** Options of `RabbitMQModule.forRootAsync`, as golevelup's. */
export interface RabbitMQModuleAsyncOptions {
  imports?: DynamicModule['imports'];
  inject?: any[];
  /** Builds the configuration from what `inject` names. */
  useFactory?: (...args: any[]) => RabbitMQConfig | Promise<RabbitMQConfig>;
  useClass?: Type<RabbitMQConfigFactory>;
  useExisting?: Type<RabbitMQConfigFactory>;
}

@Module({})
class RabbitMQConfigModule {}

/**
 * golevelup's `RabbitMQModule`, so that a golevelup application moves to Warren by changing its
 * import path: its configuration is translated to Warren's options (what Warren does not support
 * is named in a warning at start-up), and `AmqpConnection` / `AmqpConnectionManager` are provided
 * on top of Warren's producer, RPC client and consumers. Global, like `WarrenModule`.
 */
@Module({})
export class RabbitMQModule {
  /**
   * golevelup's module from a configuration: Warren's module, producer, RPC client and `AmqpConnection` on one connection.
   */
  static forRoot(config: RabbitMQConfig): DynamicModule {
    return RabbitMQModule.build([{ provide: RABBIT_CONFIG_TOKEN, useValue: config }], []);
  }

  /**
   * The configuration from a factory, a class or an existing provider. golevelup 5 and earlier
   * took the module first (`forRootAsync(RabbitMQModule, options)`); that form is accepted too.
   */
  static forRootAsync(options: RabbitMQModuleAsyncOptions): DynamicModule;
  static forRootAsync(module: Type<unknown>, options: RabbitMQModuleAsyncOptions): DynamicModule;
  static forRootAsync(first: RabbitMQModuleAsyncOptions | Type<unknown>, second?: RabbitMQModuleAsyncOptions): DynamicModule {
    const options = typeof first === 'function' && second !== undefined ? second : (first as RabbitMQModuleAsyncOptions);
    return RabbitMQModule.build(configProviders(options), options.imports ?? []);
  }

  private static build(providers: Provider[], imports: NonNullable<DynamicModule['imports']>): DynamicModule {
    const config: DynamicModule = { module: RabbitMQConfigModule, imports, providers, exports: [RABBIT_CONFIG_TOKEN] };
    const warren = WarrenModule.forRootAsync({
      // Not global: with several RabbitMQModules, each AmqpConnection uses its own producer and consumers.
      isGlobal: false,
      imports: [config],
      inject: [RABBIT_CONFIG_TOKEN],
      useFactory: (rabbit: RabbitMQConfig) => {
        const { options, unsupported } = translateConfig(rabbit);
        const logger: LoggerService = rabbit.logger ?? new Logger('Warren');
        for (const { option, instead } of unsupported) logger.warn(MESSAGES.unsupportedOption('RabbitMQModule', option, instead));
        return options;
      },
    });
    return {
      module: RabbitMQModule,
      global: true,
      imports: [config, warren, DiscoveryModule],
      providers: [
        {
          provide: AmqpConnection,
          useFactory: (producer: MessageProducer, rpc: RpcClient, consumers: WarrenConsumers, broker: BrokerConnection, rabbit: RabbitMQConfig) =>
            AmqpConnection.fromWarren({ producer, rpc, consumers, broker }, rabbit),
          inject: [MessageProducer, RpcClient, WarrenConsumers, BrokerConnection, RABBIT_CONFIG_TOKEN],
        },
        AmqpConnectionManager,
      ],
      // Warren's own MessageProducer / RpcClient too, for code moving to Warren's API step by step.
      exports: [AmqpConnection, AmqpConnectionManager, config, warren],
    };
  }
}

function configProviders(options: RabbitMQModuleAsyncOptions): Provider[] {
  if (options.useFactory) return [{ provide: RABBIT_CONFIG_TOKEN, useFactory: options.useFactory, inject: options.inject ?? [] }];
  const factoryClass = options.useClass ?? options.useExisting;
  if (!factoryClass) throw new WarrenConfigurationError(MESSAGES.forRootAsyncNeedsFactory);
  const create: Provider = {
    provide: RABBIT_CONFIG_TOKEN,
    useFactory: (factory: RabbitMQConfigFactory) => factory.create(),
    inject: [options.useClass ? RABBIT_CONFIG_FACTORY : factoryClass],
  };
  return options.useClass ? [{ provide: RABBIT_CONFIG_FACTORY, useClass: options.useClass }, create] : [create];
}
