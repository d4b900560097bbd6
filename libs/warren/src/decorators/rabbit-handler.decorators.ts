import { SetMetadata } from '@nestjs/common';
import type { EventContract, RpcContract } from '../contracts/contracts';
import { isStandardSchema } from '../validation/standard-schema';
import { WARREN_HANDLER_METADATA } from '../warren.constants';
import type { MessageHandlerOptions, RabbitHandlerMetadata } from '../interfaces';

/** A method decorator that also checks the method's first parameter and return type. */
type TypedMethodDecorator<M> = <T extends M>(target: object, key: string | symbol, descriptor: TypedPropertyDescriptor<T>) => void;

/** A contract's queue and other handler options, as the decorators take them. */
type WithContract<C> = C & Omit<MessageHandlerOptions, 'exchange' | 'routingKey'>;

/**
 * Handler options from a contract: its exchange and routing key; its DTO as the payload type to
 * validate, or its schema as the handler's `schema` (a different `schema` given beside it is
 * refused at start-up). The response schema is the caller's to check.
 */
function fromContract(contract: RpcContract<unknown, unknown> | EventContract<unknown>): MessageHandlerOptions {
  // eslint-disable-next-line @typescript-eslint/no-unused-vars
  const { kind, request, payload, response, ...options } = contract as unknown as Record<string, unknown> & MessageHandlerOptions;
  const validator = request ?? payload;
  if (!isStandardSchema(validator)) return { ...options, payloadDto: validator as MessageHandlerOptions['payloadDto'] };
  return { ...options, schema: options.schema ?? validator, contractSchema: validator };
}

/**
 * Consumes messages from a queue (declared and bound for you) and acks each one once the
 * method returns. A thrown error is retried with backoff, then parked in `<queue>.dlq`; an
 * invalid or undecodable payload is parked at once. Given an event contract, the method's first
 * parameter must accept the contract's payload type.
 */
export function RabbitSubscribe<T, Out>(contract: WithContract<EventContract<T, Out>>): TypedMethodDecorator<(payload: Out, ...rest: never[]) => unknown>;
export function RabbitSubscribe(options: MessageHandlerOptions): MethodDecorator;
export function RabbitSubscribe(options: MessageHandlerOptions | EventContract<unknown, unknown>): MethodDecorator {
  const resolved = 'kind' in options ? fromContract(options) : options;
  return SetMetadata<string, RabbitHandlerMetadata>(WARREN_HANDLER_METADATA, { ...resolved, type: 'subscribe' });
}

/**
 * Answers request/reply calls: the method's return value is sent to the caller's reply queue;
 * a thrown error or an invalid payload reaches the caller as a `RemoteError`. Given an RPC
 * contract, the method must take the request type and return (a promise of) the response type.
 */
export function RabbitRPC<Req, Res, HandlerReq, HandlerRes>(
  contract: WithContract<RpcContract<Req, Res, HandlerReq, HandlerRes>>,
): TypedMethodDecorator<(request: HandlerReq, ...rest: never[]) => HandlerRes | Promise<HandlerRes>>;
export function RabbitRPC(options: MessageHandlerOptions): MethodDecorator;
export function RabbitRPC(options: MessageHandlerOptions | RpcContract<unknown, unknown, unknown, unknown>): MethodDecorator {
  const resolved = 'kind' in options ? fromContract(options) : options;
  return SetMetadata<string, RabbitHandlerMetadata>(WARREN_HANDLER_METADATA, { ...resolved, type: 'rpc' });
}
