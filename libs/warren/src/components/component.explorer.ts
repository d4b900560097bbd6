import { Injectable } from '@nestjs/common';
import { DiscoveryService, MetadataScanner, Reflector } from '@nestjs/core';
import { MethodSignature, signatureOf } from './component-arguments';
import { COMPONENT_METADATA, COMPONENT_METHOD_METADATA } from './components.constants';
import type { ComponentMethodOptions } from './component.decorators';

export interface ComponentDefinition {
  name: string;
  version: string;
  instance: Record<string, (...args: unknown[]) => unknown>;
  /** By the name callers use. */
  methods: Map<string, { property: string; signature: MethodSignature }>;
}

/** Finds `@Component` providers and their `@ComponentMethod`s. */
@Injectable()
export class ComponentExplorer {
  constructor(
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
    private readonly reflector: Reflector,
  ) {}

  explore(): ComponentDefinition[] {
    const found: ComponentDefinition[] = [];
    for (const wrapper of this.discovery.getProviders()) {
      const instance = wrapper.instance as ComponentDefinition['instance'] | undefined;
      if (!instance || typeof instance !== 'object' || !wrapper.isDependencyTreeStatic()) continue;
      const meta = this.reflector.get<{ name: string; version: string } | undefined>(COMPONENT_METADATA, instance.constructor);
      if (!meta) continue;
      const prototype = Object.getPrototypeOf(instance) as object;
      const methods = new Map<string, { property: string; signature: MethodSignature }>();
      for (const property of this.scanner.getAllMethodNames(prototype)) {
        const method = this.reflector.get<ComponentMethodOptions | undefined>(COMPONENT_METHOD_METADATA, instance[property]);
        if (method) methods.set(method.name ?? property, { property, signature: signatureOf(prototype, property, method.schema, meta.name) });
      }
      found.push({ name: meta.name, version: meta.version, instance, methods });
    }
    return found;
  }
}
