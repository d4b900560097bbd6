import type { Type } from '@nestjs/common';

/**
 * A request/reply contract: where requests go, what they carry and what comes back. One
 * definition types the handler (`@RabbitRPC(contract)`), the caller (`rpc.call(contract, req)`
 * resolves with `Res`), and — with `request` — validates what the handler receives.
 */
export interface RpcContract<Req, Res> {
  readonly kind: 'rpc';
  readonly exchange: string;
  readonly routingKey: string;
  /** The request DTO (class-validator): the handler's payload is validated against it. */
  readonly request?: Type<Req>;
  /** Type carriers only; never set. */
  readonly __request?: Req;
  readonly __response?: Res;
}

/** An event contract: where the event goes and what it carries (`producer.publish(event, payload)`). */
export interface EventContract<T> {
  readonly kind: 'event';
  readonly exchange: string;
  readonly routingKey: string;
  /** The payload DTO (class-validator): subscribers' payloads are validated against it. */
  readonly payload?: Type<T>;
  readonly __payload?: T;
}

export function defineRpc<Req, Res>(definition: { exchange: string; routingKey: string; request?: Type<Req> }): RpcContract<Req, Res> {
  return Object.freeze({ kind: 'rpc' as const, ...definition });
}

export function defineEvent<T>(definition: { exchange: string; routingKey: string; payload?: Type<T> }): EventContract<T> {
  return Object.freeze({ kind: 'event' as const, ...definition });
}

export function isContract(value: unknown): value is RpcContract<unknown, unknown> | EventContract<unknown> {
  return typeof value === 'object' && value !== null && ((value as { kind?: unknown }).kind === 'rpc' || (value as { kind?: unknown }).kind === 'event');
}
