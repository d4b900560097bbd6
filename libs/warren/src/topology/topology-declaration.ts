import type { RabbitMQConfig } from '@golevelup/nestjs-rabbitmq';
import type { ResolvedWarrenOptions } from '../warren-options';

type Declarations = Pick<RabbitMQConfig, 'exchanges' | 'queues' | 'exchangeBindings'>;

/**
 * What the connection declares at every (re)connect, as golevelup's connection takes it: the
 * module's and the topology's exchanges, the topology's queues with their bindings, exchange-to-
 * exchange bindings — plus what the user passed to golevelup directly. In `check` mode: nothing.
 */
export function topologyDeclarations(options: ResolvedWarrenOptions): Declarations {
  const { mode, topology } = options.topology;
  const passThrough = options.golevelup;
  if (mode === 'check') return { exchanges: [], queues: [], exchangeBindings: [] };
  const exchanges = declaredExchanges(options);
  const queues = topology.queues.flatMap((queue) => {
    const options = { durable: true, ...queue.options };
    const bound = topology.bindings.filter((b) => b.queue === queue.name);
    if (bound.length === 0) return [{ name: queue.name, options }];
    return bound.map((b) => ({ name: queue.name, options, exchange: b.exchange, routingKey: b.routingKey, bindQueueArguments: b.arguments }));
  });
  const exchangeBindings = topology.bindings
    .filter((b) => b.destinationExchange !== undefined)
    .map((b) => ({ destination: b.destinationExchange!, source: b.exchange, pattern: b.routingKey, args: b.arguments }));
  return {
    exchanges,
    queues: [...queues, ...(passThrough.queues ?? [])],
    exchangeBindings: [...exchangeBindings, ...(passThrough.exchangeBindings ?? [])],
  };
}

/** The module's and the topology's exchanges with their defaults (topic, durable), as they are declared. */
export function declaredExchanges(options: ResolvedWarrenOptions) {
  return [...options.exchanges, ...options.topology.topology.exchanges].map((exchange) => ({
    name: exchange.name,
    type: exchange.type ?? 'topic',
    options: { durable: true, ...exchange.options },
    createExchangeIfNotExists: exchange.createExchangeIfNotExists,
  }));
}
