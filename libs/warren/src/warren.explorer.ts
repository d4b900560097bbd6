import { Injectable } from '@nestjs/common';
import { ROUTE_ARGS_METADATA } from '@nestjs/common/constants';
import { DiscoveryService, MetadataScanner } from '@nestjs/core';
import { ExternalContextCreator } from '@nestjs/core/helpers/external-context-creator';
import type { InstanceWrapper } from '@nestjs/core/injector/instance-wrapper';
import type { HandlerDefinition } from './consumer/handler-definition';
import { withoutNestExceptionLog } from './handler-exceptions';
import { WarrenMetadataAccessor } from './warren-metadata.accessor';
import { WarrenParamsFactory } from './warren-params.factory';
import { WARREN_CONTEXT_TYPE } from './warren.constants';

/** Finds `@RabbitSubscribe` / `@RabbitRPC` methods on providers and controllers. */
@Injectable()
export class WarrenExplorer {
  private readonly paramsFactory = new WarrenParamsFactory();

  constructor(
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
    private readonly accessor: WarrenMetadataAccessor,
    private readonly contextCreator: ExternalContextCreator,
  ) {}

  explore(): HandlerDefinition[] {
    const seen = new Set<object>();
    const handlers: HandlerDefinition[] = [];
    const wrappers: InstanceWrapper[] = [...this.discovery.getProviders(), ...this.discovery.getControllers()];
    for (const wrapper of wrappers) {
      const instance = wrapper.instance as Record<string, unknown> | undefined;
      // Request-scoped providers have no instance to consume with.
      if (!instance || typeof instance !== 'object' || !wrapper.isDependencyTreeStatic() || seen.has(instance)) continue;
      seen.add(instance);
      const prototype = Object.getPrototypeOf(instance) as Record<string, (...args: unknown[]) => unknown>;
      for (const methodName of this.scanner.getAllMethodNames(prototype)) {
        const definition = this.define(instance, prototype, methodName);
        if (definition) handlers.push(definition);
      }
    }
    return handlers;
  }

  private define(
    instance: object,
    prototype: Record<string, (...args: unknown[]) => unknown>,
    methodName: string,
  ): HandlerDefinition | undefined {
    const method = prototype[methodName];
    const options = this.accessor.getHandlerMetadata(method);
    if (!options) return undefined;
    const invoke = withoutNestExceptionLog(this.contextCreator, () =>
      this.contextCreator.create(instance, method, methodName, ROUTE_ARGS_METADATA, this.paramsFactory, undefined, undefined, undefined, WARREN_CONTEXT_TYPE),
    );
    // What the payload parameter declares; the validation plan is made from it when the handler is registered.
    return {
      name: `${instance.constructor.name}.${methodName}`,
      options,
      payloadType: options.validate === false ? undefined : (this.accessor.getPayloadType(prototype, methodName) ?? (options.payloadDto as HandlerDefinition['payloadType'])),
      payloadPrimitive: this.accessor.getPayloadPrimitive(prototype, methodName),
      payloadSchema: this.accessor.getPayloadSchema(prototype, methodName),
      invoke,
      wantsSignal: this.accessor.usesSignal(prototype, methodName, method),
    };
  }
}
