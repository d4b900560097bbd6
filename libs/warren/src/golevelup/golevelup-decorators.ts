import { PipeTransform, SetMetadata, Type, assignMetadata } from '@nestjs/common';
import { ROUTE_ARGS_METADATA } from '@nestjs/common/constants';
import type { MessageHandlerOptions, RabbitHandlerMetadata } from '../interfaces';
import { WarrenParamsFactory } from '../warren-params.factory';
import { WARREN_CONTEXT_TYPE, WARREN_HANDLER_METADATA, WARREN_HEADER_PARAM, WARREN_PAYLOAD_PARAM, WARREN_REQUEST_PARAM } from '../warren.constants';

/**
 * golevelup's decorator building blocks and metadata names, on Warren's metadata: a handler made
 * with them is found and consumed by Warren as if written with `@RabbitSubscribe` / `@RabbitRPC`.
 */

/** The metadata key of handler options (golevelup's is a Symbol; Warren's key, so handlers made with it are Warren's). */
export const RABBIT_HANDLER = WARREN_HANDLER_METADATA;
/** `@RabbitPayload`'s parameter type (golevelup's number, which Warren uses too). */
export const RABBIT_PARAM_TYPE = WARREN_PAYLOAD_PARAM;
/** golevelup's parameter type id of `@RabbitHeader` (Warren's own). */
export const RABBIT_HEADER_TYPE = WARREN_HEADER_PARAM;
/** golevelup's parameter type id of `@RabbitRequest` (Warren's own). */
export const RABBIT_REQUEST_TYPE = WARREN_REQUEST_PARAM;
/** `ExecutionContext#getType()` inside a handler. */
export const RABBIT_CONTEXT_TYPE_KEY = WARREN_CONTEXT_TYPE;
/**
 * golevelup 8 and earlier stored parameter decorators' metadata under this key (golevelup 9 no
 * longer exports it). Here it is the key Warren reads them from, Nest's ROUTE_ARGS_METADATA, so a
 * custom parameter decorator written with it works on Warren.
 */
export const RABBIT_ARGS_METADATA: string = ROUTE_ARGS_METADATA;

/** Stores `config` (options and `type`) as a handler's metadata. */
export const RabbitHandler =
  (config: RabbitHandlerMetadata): MethodDecorator =>
  (target, key, descriptor) =>
    SetMetadata(RABBIT_HANDLER, config)(target, key, descriptor);

/** A handler decorator with preset options (`makeRabbitDecorator({ type: 'subscribe', exchange: 'events' })`). */
export const makeRabbitDecorator =
  <T extends Partial<RabbitHandlerMetadata>>(input: T) =>
  (config: Pick<RabbitHandlerMetadata, Exclude<keyof RabbitHandlerMetadata, keyof T>>): MethodDecorator =>
    SetMetadata(RABBIT_HANDLER, { ...input, ...config });

type PipeArg = Type<PipeTransform> | PipeTransform;

/**
 * A parameter decorator of parameter type `type` (`RABBIT_PARAM_TYPE` by default): `data` names one
 * property of the value (or is the first pipe), then the pipes.
 */
export const createPipesRpcParamDecorator =
  (data?: unknown, type: number = RABBIT_PARAM_TYPE, ...pipes: PipeArg[]): ParameterDecorator =>
  (target, key, index) => {
    if (!key) throw new Error(`Failed creating rpc pipes param, received key: ${String(key)}`);
    const args = Reflect.getMetadata(ROUTE_ARGS_METADATA, target.constructor, key) ?? {};
    const property = typeof data === 'string' ? data : undefined;
    const allPipes = typeof data === 'string' || data === undefined ? pipes : [data as PipeArg, ...pipes];
    Reflect.defineMetadata(ROUTE_ARGS_METADATA, assignMetadata(args, type, index, property, ...allPipes), target.constructor, key);
  };

/** Maps parameter decorators onto a handler's arguments (payload, message, headers), as golevelup's does. */
export class RabbitRpcParamsFactory extends WarrenParamsFactory {}

/**
 * The module-level handler configurations for a handler named `lookupKey`: none named → one
 * registration with the decorator's options only; a name absent from `handlers` → no registration;
 * else each configured entry (an array registers the handler once per entry).
 */
export function resolveHandlerConfigs(
  handlers: Record<string, MessageHandlerOptions | MessageHandlerOptions[]>,
  lookupKey?: string,
): Array<MessageHandlerOptions | undefined> {
  if (!lookupKey) return [undefined];
  if (!Object.prototype.hasOwnProperty.call(handlers, lookupKey)) return [];
  return [handlers[lookupKey]].flat();
}
