import type { Type } from '@nestjs/common';
import type { SchemaInput, SchemaOutput, StandardSchemaV1 } from '../validation/standard-schema';

/** What a contract checks a body with: a class-validator DTO class, or any Standard Schema. */
export type ContractValidator = Type<object> | StandardSchemaV1;

/** The type a sender passes for a validator: a schema's input, a DTO's instance type. */
export type ValidatorInput<V> = V extends StandardSchemaV1 ? SchemaInput<V> : V extends Type<infer T> ? T : unknown;
/** The type a receiver gets from a validator: a schema's output (transforms applied), a DTO's instance type. */
export type ValidatorOutput<V> = V extends StandardSchemaV1 ? SchemaOutput<V> : V extends Type<infer T> ? T : unknown;

/**
 * A request/reply contract: where requests go, what they carry and what comes back. One
 * definition types the handler (`@RabbitRPC(contract)`), the caller (`rpc.call(contract, req)`
 * resolves with `Res`), and — with `request` — validates what the handler receives. With schemas
 * the types can differ on each side: the caller sends `Req` (the request schema's input), the
 * handler gets `HandlerReq` (its output) and returns `HandlerRes` (the response schema's input),
 * the caller gets `Res` (its output).
 */
export interface RpcContract<Req, Res, HandlerReq = Req, HandlerRes = Res> {
  readonly kind: 'rpc';
  readonly exchange: string;
  readonly routingKey: string;
  /**
   * The request's DTO (validated by the handler) or Standard Schema (validated by the caller before
   * sending, unless `validation.onPublish` is false, and by the handler, which gets its output).
   */
  readonly request?: ContractValidator;
  /** The reply's Standard Schema or DTO: a reply that does not match rejects the call with `InvalidReplyError`. */
  readonly response?: ContractValidator;
  /** Type carriers only; never set. */
  readonly __request?: Req;
  readonly __response?: Res;
  readonly __handlerRequest?: HandlerReq;
  readonly __handlerResponse?: HandlerRes;
}

/**
 * An event contract: where the event goes and what it carries (`producer.publish(event, payload)`).
 * The publisher passes `T` (a schema's input), subscribers get `Out` (its output).
 */
export interface EventContract<T, Out = T> {
  readonly kind: 'event';
  readonly exchange: string;
  readonly routingKey: string;
  /**
   * The payload's DTO (validated by subscribers) or Standard Schema (validated by the publisher
   * before sending, unless `validation.onPublish` is false, and by subscribers, which get its output).
   */
  readonly payload?: ContractValidator;
  readonly __payload?: T;
  readonly __subscriberPayload?: Out;
}

interface Target {
  exchange: string;
  routingKey: string;
}

/** A definition's member, or `undefined` when it has none. */
type Member<D, K extends string> = D extends { [key in K]: infer V } ? V : undefined;

/** The request is typed by the validators given (`request`, `response`); a missing one types its side `unknown`. */
export function defineRpc<D extends Target & { request?: ContractValidator; response?: ContractValidator }>(
  definition: D,
): RpcContract<ValidatorInput<Member<D, 'request'>>, ValidatorOutput<Member<D, 'response'>>, ValidatorOutput<Member<D, 'request'>>, ValidatorInput<Member<D, 'response'>>>;
/** The types given explicitly: `defineRpc<SumRequest, SumResult>({ exchange, routingKey, request: SumRequestDto })`. */
export function defineRpc<Req, Res>(definition: Target & { request?: Type<Req> | StandardSchemaV1<Req>; response?: Type<Res> | StandardSchemaV1<unknown, Res> }): RpcContract<Req, Res>;
export function defineRpc(definition: Target & { request?: ContractValidator; response?: ContractValidator }): RpcContract<unknown, unknown> {
  return Object.freeze({ kind: 'rpc' as const, ...definition });
}

/** The payload is typed by the validator given; without one it is `unknown`. */
export function defineEvent<D extends Target & { payload?: ContractValidator }>(
  definition: D,
): EventContract<ValidatorInput<Member<D, 'payload'>>, ValidatorOutput<Member<D, 'payload'>>>;
/** The type given explicitly: `defineEvent<OrderCreated>({ exchange, routingKey })`. */
export function defineEvent<T>(definition: Target & { payload?: Type<T> | StandardSchemaV1<T> }): EventContract<T>;
export function defineEvent(definition: Target & { payload?: ContractValidator }): EventContract<unknown> {
  return Object.freeze({ kind: 'event' as const, ...definition });
}

/** True for a contract made by `defineRpc` or `defineEvent`. */
export function isContract(value: unknown): value is RpcContract<unknown, unknown, unknown, unknown> | EventContract<unknown, unknown> {
  return typeof value === 'object' && value !== null && ((value as { kind?: unknown }).kind === 'rpc' || (value as { kind?: unknown }).kind === 'event');
}
