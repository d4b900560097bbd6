import type { ExecutionContext } from '@nestjs/common';
import { WARREN_CONTEXT_TYPE } from './warren.constants';

/** True inside a Warren handler: lets a guard or interceptor shared with HTTP routes tell them apart. */
export function isRabbitContext(context: ExecutionContext): boolean {
  return context.getType<string>() === WARREN_CONTEXT_TYPE;
}
