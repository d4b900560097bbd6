import { Inject, Injectable, Optional } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { ComponentExplorer } from '../components/component.explorer';
import { COMPONENTS_OPTIONS, ResolvedComponentsOptions } from '../components/components-options.interface';
import { COMPONENTS_EXCHANGE } from '../components/components.constants';
import { WarrenOrchestrator } from '../warren.orchestrator';
import { WARREN_RESOLVED_OPTIONS } from '../warren.providers';
import type { ResolvedWarrenOptions } from '../warren-options';
import type { AsyncApiDocument } from './asyncapi.types';
import { DocumentInfo, DocumentInput, buildDocument } from './build-document';

/** Injection token of the `WarrenAsyncApi` of the connection called `name` (the class itself for the default one). */
export function getAsyncApiToken(name?: string): string | typeof WarrenAsyncApi {
  return name === undefined || name === 'default' ? WarrenAsyncApi : `warren:${name}:WarrenAsyncApi`;
}

/**
 * The AsyncAPI 3.0.0 document of the running application, read from what Warren runs: its
 * consumers (each handler with the options it was registered with), the dead-letter and retry
 * queues their policies use, the module's exchanges, topology, publications and `contracts`, and
 * ComponentsModule's components. Injectable wherever `WarrenModule` is imported. Call it after
 * `app.init()`: handlers are registered at init, components at bootstrap.
 */
@Injectable()
export class WarrenAsyncApi {
  constructor(
    private readonly orchestrator: WarrenOrchestrator,
    @Inject(WARREN_RESOLVED_OPTIONS) private readonly options: ResolvedWarrenOptions,
    @Optional() private readonly moduleRef?: ModuleRef,
  ) {}

  /** A new document on every call (plain JSON, safe to change). The broker's credentials are never in it. */
  document(info: DocumentInfo = {}): AsyncApiDocument {
    const input: DocumentInput = { options: this.options, consumers: this.orchestrator.queueConsumers.map((consumer) => consumer.plan) };
    const components = this.components();
    if (components) input.components = components;
    return buildDocument(input, info);
  }

  /** ComponentsModule's components and exchanges, when the application imports it. */
  private components(): DocumentInput['components'] {
    if (!this.moduleRef) return undefined;
    let explorer: ComponentExplorer;
    let options: ResolvedComponentsOptions;
    try {
      explorer = this.moduleRef.get(ComponentExplorer, { strict: false });
      options = this.moduleRef.get<ResolvedComponentsOptions>(COMPONENTS_OPTIONS, { strict: false });
    } catch {
      return undefined; // ComponentsModule is not imported
    }
    return {
      definitions: explorer.explore(),
      exchanges: [
        { name: COMPONENTS_EXCHANGE, type: 'direct', durable: true, autoDelete: false },
        { name: options.registryExchange, type: 'fanout', durable: true, autoDelete: false },
      ],
    };
  }
}
