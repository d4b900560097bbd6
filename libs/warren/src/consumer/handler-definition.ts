import type { Type } from '@nestjs/common';
import type { ConsumeMessage } from 'amqplib';
import type { DeliveryOrigin } from './delivery-origin';
import type { RabbitHandlerMetadata } from '../interfaces';
import type { StandardSchemaV1 } from '../validation/standard-schema';
import type { PrimitiveName } from '../validation/validation-plan';

/** A discovered handler method, ready to be called with Nest's guards, interceptors and pipes. */
export interface HandlerDefinition {
  /** `ClassName.methodName`, for logs. */
  name: string;
  options: RabbitHandlerMetadata;
  /** DTO the payload is validated against, when the payload parameter is typed with a class. */
  payloadType?: Type<object>;
  /** The payload parameter's type when it is `number`, `string` or `boolean` (checked like a DTO). */
  payloadPrimitive?: PrimitiveName;
  /** The schema of the handler's `@RabbitPayload({ schema })`. */
  payloadSchema?: StandardSchemaV1;
  invoke(payload: unknown, message: ConsumeMessage, headers: Record<string, unknown>, signal?: AbortSignal, origin?: DeliveryOrigin): Promise<unknown>;
  /** The handler takes the cancellation signal (`@RabbitSignal()`); without it none is made per message. */
  wantsSignal?: boolean;
}
