import { PipeTransform, Type, assignMetadata } from '@nestjs/common';
import { ROUTE_ARGS_METADATA } from '@nestjs/common/constants';
import { WARREN_HEADER_PARAM, WARREN_PAYLOAD_PARAM, WARREN_REQUEST_PARAM, WARREN_SIGNAL_PARAM } from '../warren.constants';

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

/** The decoded (and, for a class-typed parameter, validated) message body, or one property of it. */
export const RabbitPayload = rabbitParam(WARREN_PAYLOAD_PARAM);
/** The message headers, or one header by name. */
export const RabbitHeader = rabbitParam(WARREN_HEADER_PARAM);
/** The raw amqplib message (fields, properties, content). */
export const RabbitRequest = rabbitParam(WARREN_REQUEST_PARAM);
/**
 * An `AbortSignal` aborted when Warren stops waiting for this handler: shutdown's drain deadline
 * passed (the message goes back to the queue) or the delivery's channel was lost (the broker
 * redelivers it). A long handler can stop early instead of finishing work nobody will ack.
 */
export const RabbitSignal = (): ParameterDecorator => rabbitParam(WARREN_SIGNAL_PARAM)();
