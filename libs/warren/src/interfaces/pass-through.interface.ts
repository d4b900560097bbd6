import type { AmqpConnectionManagerOptions } from 'amqp-connection-manager';
import type { Options } from 'amqplib';

/** A queue the connection declares (and binds) at every (re)connect, in golevelup's shape. */
export interface PassThroughQueue {
  name: string;
  /** `false` only checks that the queue exists. @default true */
  createQueueIfNotExists?: boolean;
  options?: Options.AssertQueue;
  exchange?: string;
  routingKey?: string | string[];
  bindQueueArguments?: Record<string, unknown>;
  /** The consumer tag of handlers on this queue that set none. */
  consumerTag?: string;
}

/** An exchange-to-exchange binding the connection declares at every (re)connect. */
export interface PassThroughExchangeBinding {
  destination: string;
  source: string;
  pattern: string;
  args?: Record<string, unknown>;
}

/**
 * What Warren hands its connection for what it does not model itself (the `golevelup` option, named
 * after the golevelup configuration these shapes come from). Warren's own options win over it.
 */
export interface WarrenPassThroughOptions {
  /** Queues declared (and bound) at every (re)connect. @default [] */
  queues?: PassThroughQueue[];
  /** Exchange-to-exchange bindings declared at every (re)connect. @default [] */
  exchangeBindings?: PassThroughExchangeBinding[];
  /**
   * amqp-connection-manager's options (`findServers`, `connectionOptions` such as `credentials`
   * or `timeout`). Warren's heartbeat, reconnect delay, TLS, TCP_NODELAY and connection name win.
   * @default {}
   */
  connectionManagerOptions?: AmqpConnectionManagerOptions;
  /** Any other option of golevelup's `RabbitMQConfig`: read by `golevelupConnector` only. */
  [golevelupOption: string]: unknown;
}
