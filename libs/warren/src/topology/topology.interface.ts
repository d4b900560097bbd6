import type { Options } from 'amqplib';
import type { PublishOptions, WarrenExchangeOptions } from '../interfaces';

/** A queue of the declared topology. */
export interface TopologyQueue {
  name: string;
  /** amqplib's assertQueue options. @default { durable: true } */
  options?: Options.AssertQueue;
}

/** A binding: a queue (or, with `destinationExchange`, an exchange) to an exchange by routing key. */
export interface TopologyBinding {
  exchange: string;
  queue?: string;
  destinationExchange?: string;
  routingKey: string;
  arguments?: Record<string, unknown>;
}

/** The broker objects an application relies on, declared (or checked) at start-up. */
export interface WarrenTopology {
  /**
   * `'assert'` declares everything (and again after reconnects). `'check'` declares nothing: start-up
   * checks that every exchange and queue exists — the topology's, the handlers' and Warren's own
   * retry and dead-letter queues — and fails with one error listing all that are missing
   * (bindings cannot be checked over AMQP). @default 'assert'
   */
  mode?: 'assert' | 'check';
  exchanges?: WarrenExchangeOptions[];
  queues?: TopologyQueue[];
  bindings?: TopologyBinding[];
}

/** Where a named publication goes: `producer.publishTo(name, message)`. */
export interface WarrenPublication {
  exchange: string;
  routingKey: string;
  /** Properties every message of this publication gets (the call's own options win). */
  options?: PublishOptions;
}

/** Environment variable naming a JSON file `{ "topology": {...}, "publications": {...} }`. */
export const TOPOLOGY_FILE_ENV = 'WARREN_TOPOLOGY_FILE';
