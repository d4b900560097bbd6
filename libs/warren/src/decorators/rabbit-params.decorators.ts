import { PipeTransform, Type, assignMetadata } from '@nestjs/common';
import { ROUTE_ARGS_METADATA } from '@nestjs/common/constants';
import type { StandardSchemaV1 } from '../validation/standard-schema';
import { WARREN_HEADER_PARAM, WARREN_ORIGIN_PARAM, WARREN_PAYLOAD_PARAM, WARREN_PAYLOAD_SCHEMA_METADATA, WARREN_REQUEST_PARAM, WARREN_SIGNAL_PARAM } from '../warren.constants';

type PipeArg = Type<PipeTransform> | PipeTransform;

function rabbitParam(type: number) {
  return (propertyOrPipe?: string | PipeArg, ...pipes: PipeArg[]): ParameterDecorator =>
    (target, key, index) => {
      if (key === undefined) throw new Error('Rabbit parameter decorators only apply to methods');
      const property = typeof propertyOrPipe === 'string' ? propertyOrPipe : undefined;
      const allPipes = typeof propertyOrPipe === 'string' || propertyOrPipe === undefined ? pipes : [propertyOrPipe, ...pipes];
      const existing = Reflect.getMetadata(ROUTE_ARGS_METADATA, target.constructor, key) ?? {};
      Reflect.defineMetadata(
        ROUTE_ARGS_METADATA,
        assignMetadata(existing, type, index, property, ...allPipes),
        target.constructor,
        key,
      );
    };
}

/** `@RabbitPayload({ schema })`: the whole payload, validated by a Standard Schema (its output is what the parameter gets). */
export interface RabbitPayloadOptions {
  schema: StandardSchemaV1;
  /** Pipes that run after the schema, on its output. */
  pipes?: PipeArg[];
}

const payloadParam = rabbitParam(WARREN_PAYLOAD_PARAM);

function isPayloadOptions(value: unknown): value is RabbitPayloadOptions {
  return typeof value === 'object' && value !== null && 'schema' in value && typeof (value as Partial<PipeTransform>).transform !== 'function';
}

/**
 * The decoded and validated message body (validated against the handler's schema, the parameter's
 * DTO class or its number/string/boolean type), or one property of it. `@RabbitPayload({ schema })`
 * gives the handler's schema here instead of in the handler's options (one of the two, not both).
 */
export function RabbitPayload(options: RabbitPayloadOptions): ParameterDecorator;
export function RabbitPayload(propertyOrPipe?: string | PipeArg, ...pipes: PipeArg[]): ParameterDecorator;
export function RabbitPayload(first?: string | PipeArg | RabbitPayloadOptions, ...pipes: PipeArg[]): ParameterDecorator {
  if (!isPayloadOptions(first)) return payloadParam(first, ...pipes);
  const param = payloadParam(undefined, ...(first.pipes ?? []), ...pipes);
  return (target, key, index) => {
    param(target, key, index);
    Reflect.defineMetadata(WARREN_PAYLOAD_SCHEMA_METADATA, first.schema, target.constructor, key!);
  };
}
/**
 * The message headers, or one header by name. A quorum queue's broker adds its counters:
 * `x-delivery-count` (failed deliveries so far: `basic.reject` with requeue, which Warren uses for
 * `Nack(true)` and `errorBehavior: 'REQUEUE'`, and lost channels; absent on the first delivery) and,
 * on RabbitMQ 4.3+, `x-acquired-count` (every delivery so far, returns unprocessed included).
 */
export const RabbitHeader = rabbitParam(WARREN_HEADER_PARAM);
/** The raw amqplib message (fields, properties, content). */
export const RabbitRequest = rabbitParam(WARREN_REQUEST_PARAM);
/**
 * An `AbortSignal` aborted when Warren stops waiting for this handler: shutdown's drain deadline
 * passed (the message goes back to the queue) or the delivery's channel was lost (the broker
 * redelivers it). A long handler can stop early instead of finishing work nobody will ack.
 */
export const RabbitSignal = (): ParameterDecorator => rabbitParam(WARREN_SIGNAL_PARAM)();
/**
 * Where the delivery was first published: `{ exchange, routingKey, attempt?, firstFailedAt? }`
 * (`attempt` absent on a first delivery). On a retried delivery the raw message's
 * `fields.routingKey` is the queue's name (the broker re-delivers it from the delay queue through
 * the default exchange); this is the key it was published with, as Warren routed it. Also
 * `rabbitOrigin(context)` in a guard or interceptor.
 */
export const RabbitOrigin = (): ParameterDecorator => rabbitParam(WARREN_ORIGIN_PARAM)();
