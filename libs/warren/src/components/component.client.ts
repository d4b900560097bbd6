import { Injectable } from '@nestjs/common';
import { RemoteError } from '../errors/remote.error';
import { UnroutableMessageError } from '../errors/unroutable-message.error';
import { RpcClient } from '../rpc/rpc-client';
import type { ComponentCall } from './component.host';
import { COMPONENTS_EXCHANGE, COMPONENT_ERRORS } from './components.constants';

/** Options of one component call. */
export interface ComponentCallOptions {
  /** @default the module's `rpc.timeoutMs` */
  timeoutMs?: number;
}

/** The methods of a component's API as its proxy offers them: each takes the arguments object. */
export type ComponentProxy<T> = {
  [K in keyof T]: T[K] extends (args: infer A) => infer R ? (args: A, options?: ComponentCallOptions) => Promise<Awaited<R>> : never;
};

/**
 * Calls components by name: `call('IntSummator', 'int_sum', { a: 1, b: 2 })`, or through a typed
 * proxy: `get<IntSummatorApi>('IntSummator').int_sum({ a: 1, b: 2 })`. Errors arrive as
 * `RemoteError`: UNKNOWN_COMPONENT (at once), UNKNOWN_METHOD, VALIDATION_FAILED, or the method's own.
 */
@Injectable()
export class ComponentClient {
  constructor(private readonly rpc: RpcClient) {}

  /**
   * Calls `method` of the component `component` with the arguments object `args`; resolves with its
   * result. Rejects with `RemoteError`: `UNKNOWN_COMPONENT` at once when no queue is bound for
   * the component, `UNKNOWN_METHOD`, `VALIDATION_FAILED`, or the method's own error; with
   * `RpcTimeoutError` after `timeoutMs`.
   */
  async call<T = unknown>(component: string, method: string, args: unknown = {}, options: ComponentCallOptions = {}): Promise<T> {
    try {
      return await this.rpc.request<T>(COMPONENTS_EXCHANGE, component, { method, args } satisfies ComponentCall, { timeoutMs: options.timeoutMs });
    } catch (error) {
      if (error instanceof UnroutableMessageError) {
        throw new RemoteError({ code: COMPONENT_ERRORS.unknownComponent, message: `No component '${component}' is registered on the broker` });
      }
      throw error;
    }
  }

  /**
   * A typed proxy of a component: `get<Api>('IntSummator').int_sum({ a, b })` is `call('IntSummator', 'int_sum', { a, b })`.
   */
  get<T extends object>(component: string): ComponentProxy<T> {
    return new Proxy({} as ComponentProxy<T>, {
      get: (_target, method) =>
        typeof method === 'string' ? (args: unknown, options?: ComponentCallOptions) => this.call(component, method, args, options) : undefined,
    });
  }
}
