import { SetMetadata } from '@nestjs/common';
import { WARREN_HANDLER_METADATA } from '../warren.constants';
import type { MessageHandlerOptions, RabbitHandlerMetadata } from '../interfaces';

/**
 * Consumes messages from a queue (declared and bound for you) and acks each one once the
 * method returns. A thrown error is retried with backoff, then parked in `<queue>.dlq`; an
 * invalid or undecodable payload is parked at once.
 */
export const RabbitSubscribe = (options: MessageHandlerOptions): MethodDecorator =>
  SetMetadata<string, RabbitHandlerMetadata>(WARREN_HANDLER_METADATA, { ...options, type: 'subscribe' });

/**
 * Answers request/reply calls: the method's return value is sent to the caller's reply queue;
 * a thrown error or an invalid payload reaches the caller as a `RemoteError`.
 */
export const RabbitRPC = (options: MessageHandlerOptions): MethodDecorator =>
  SetMetadata<string, RabbitHandlerMetadata>(WARREN_HANDLER_METADATA, { ...options, type: 'rpc' });
