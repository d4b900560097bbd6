import { Injectable, Type } from '@nestjs/common';
import { ROUTE_ARGS_METADATA } from '@nestjs/common/constants';
import { Reflector } from '@nestjs/core';
import type { RabbitHandlerMetadata } from './interfaces';
import { isDtoClass } from './validation/payload-validator';
import type { StandardSchemaV1 } from './validation/standard-schema';
import { PrimitiveName, primitiveOf } from './validation/validation-plan';
import { WARREN_HANDLER_METADATA, WARREN_PAYLOAD_PARAM, WARREN_PAYLOAD_SCHEMA_METADATA, WARREN_SIGNAL_PARAM } from './warren.constants';

interface RouteArg {
  index: number;
  data?: unknown;
}

/** Reads what Warren's decorators stored. */
@Injectable()
export class WarrenMetadataAccessor {
  constructor(private readonly reflector: Reflector) {}

  getHandlerMetadata(method: (...args: unknown[]) => unknown): RabbitHandlerMetadata | undefined {
    return this.reflector.get<RabbitHandlerMetadata | undefined>(WARREN_HANDLER_METADATA, method);
  }

  /**
   * The DTO class of the handler's payload parameter: the parameter marked `@RabbitPayload()`
   * (without a property name), or the first parameter when the method uses no param decorators.
   */
  getPayloadType(prototype: object, methodName: string): Type<object> | undefined {
    const type = this.payloadParamType(prototype, methodName);
    return isDtoClass(type) ? type : undefined;
  }

  /** `number`, `string` or `boolean` when the payload parameter (as for getPayloadType) has that type. */
  getPayloadPrimitive(prototype: object, methodName: string): PrimitiveName | undefined {
    return primitiveOf(this.payloadParamType(prototype, methodName));
  }

  /** The schema given with `@RabbitPayload({ schema })`. */
  getPayloadSchema(prototype: object, methodName: string): StandardSchemaV1 | undefined {
    return Reflect.getMetadata(WARREN_PAYLOAD_SCHEMA_METADATA, prototype.constructor, methodName) as StandardSchemaV1 | undefined;
  }

  private payloadParamType(prototype: object, methodName: string): unknown {
    const args: Record<string, RouteArg> =
      Reflect.getMetadata(ROUTE_ARGS_METADATA, prototype.constructor, methodName) ?? {};
    const paramTypes: unknown[] = Reflect.getMetadata('design:paramtypes', prototype, methodName) ?? [];
    const keys = Object.keys(args);
    let index: number | undefined;
    if (keys.length === 0) {
      index = 0;
    } else {
      const payloadKey = keys.find((key) => key.split(':')[0] === String(WARREN_PAYLOAD_PARAM));
      if (payloadKey && args[payloadKey].data === undefined) index = args[payloadKey].index;
    }
    return index === undefined ? undefined : paramTypes[index];
  }

  /**
   * Whether the handler takes the cancellation signal: a `@RabbitSignal()` parameter, or (without
   * param decorators) a fourth positional parameter. Others get none, so no AbortController is made per message.
   */
  usesSignal(prototype: object, methodName: string, method: (...args: unknown[]) => unknown): boolean {
    const args: Record<string, RouteArg> = Reflect.getMetadata(ROUTE_ARGS_METADATA, prototype.constructor, methodName) ?? {};
    const keys = Object.keys(args);
    // A wrapped method (`(...args) => …`, length 0) or one with a default before the signal cannot be told apart: give it one.
    if (keys.length === 0) return method.length === 0 || method.length >= 4;
    return keys.some((key) => key.split(':')[0] === String(WARREN_SIGNAL_PARAM));
  }
}
