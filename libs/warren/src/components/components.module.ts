import { DynamicModule, Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { ComponentClient } from './component.client';
import { ComponentExplorer } from './component.explorer';
import { ComponentHost } from './component.host';
import { ComponentRegistry } from './component.registry';
import { COMPONENTS_OPTIONS, ComponentsModuleOptions } from './components-options.interface';
import { resolveComponentsOptions } from './components-options';

/**
 * Components that call each other by name, on top of `WarrenModule` (import both): serves this
 * app's `@Component`s, and provides `ComponentClient` and the live `ComponentRegistry`.
 */
@Module({})
export class ComponentsModule {
  /** Throws `WarrenConfigurationError` at once when an option is wrong. */
  static forRoot(options: ComponentsModuleOptions = {}): DynamicModule {
    const resolved = resolveComponentsOptions(options);
    return {
      module: ComponentsModule,
      global: true,
      imports: [DiscoveryModule],
      providers: [{ provide: COMPONENTS_OPTIONS, useValue: resolved }, ComponentExplorer, ComponentHost, ComponentClient, ComponentRegistry],
      exports: [ComponentClient, ComponentRegistry],
    };
  }
}
