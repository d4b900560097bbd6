import type { ExecutionContext } from '@nestjs/common';
import type { DeliveryOrigin } from './consumer/delivery-origin';
import { WARREN_CONTEXT_TYPE } from './warren.constants';

/** True inside a Warren handler: lets a guard or interceptor shared with HTTP routes tell them apart. */
export function isRabbitContext(context: ExecutionContext): boolean {
  return context.getType<string>() === WARREN_CONTEXT_TYPE;
}

/**
 * Inside a Warren handler (a guard, an interceptor): where the delivery was first published, its
 * attempt and first failure (see `@RabbitOrigin()`); undefined elsewhere.
 */
export function rabbitOrigin(context: ExecutionContext): DeliveryOrigin | undefined {
  return isRabbitContext(context) ? (context.getArgByIndex<DeliveryOrigin | undefined>(4) ?? undefined) : undefined;
}
