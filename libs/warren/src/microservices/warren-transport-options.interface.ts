import type { HandlerFlowOptions, WarrenModuleOptions } from '../interfaces';

/** Options of `WarrenServer` and `WarrenClient`: Warren's module options plus where patterns travel. */
export interface WarrenTransportOptions extends WarrenModuleOptions {
  /**
   * The topic exchange message and event patterns are routed on (declared if missing); server and
   * client must agree. @default 'warren.microservices'
   */
  exchange?: string;
  /**
   * Server: the queue this service consumes from; replicas of the service share it and compete
   * for its messages. @default a name derived from the service's patterns (equal for replicas)
   */
  queue?: string;
  /** Client: how long `send()` waits for a reply. @default the module's `rpc.timeoutMs` (10 s) */
  timeoutMs?: number;
  /**
   * Server: flow control for each of this service's patterns (`concurrency` and `timeoutMs` per
   * pattern, `circuitBreaker`, `accept`, `ack`; see the handler options). A pattern's own extras
   * take precedence: `@EventPattern('order.*', { concurrency: 2 })`. @default none
   */
  handlerOptions?: HandlerFlowOptions;
}

/** The topic exchange `WarrenServer` and `WarrenClient` use when no `exchange` is given. */
export const DEFAULT_TRANSPORT_EXCHANGE = 'warren.microservices';
