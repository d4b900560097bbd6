import type { Channel } from 'amqplib';
import type { Declarations } from './topology-declaration';

/**
 * Declares, on `channel`, what the connection declares at every (re)connect: the exchanges (or,
 * with `createExchangeIfNotExists: false`, checks that they exist), then the exchange-to-exchange
 * bindings, then the queues and their bindings (`createQueueIfNotExists: false` only checks the
 * queue). The order golevelup's connection used, so a configuration moved from it declares the same.
 */
export async function declareTopology(channel: Channel, declarations: Declarations): Promise<void> {
  for (const exchange of declarations.exchanges) {
    if (exchange.createExchangeIfNotExists === false) await channel.checkExchange(exchange.name);
    else await channel.assertExchange(exchange.name, exchange.type, exchange.options);
  }
  for (const binding of declarations.exchangeBindings) {
    await channel.bindExchange(binding.destination, binding.source, binding.pattern, binding.args);
  }
  for (const queue of declarations.queues) {
    const name =
      queue.createQueueIfNotExists === false
        ? (await channel.checkQueue(queue.name)).queue
        : (await channel.assertQueue(queue.name ?? '', queue.options)).queue;
    if (!queue.exchange) continue;
    for (const routingKey of [queue.routingKey ?? []].flat()) {
      await channel.bindQueue(name, queue.exchange, routingKey, queue.bindQueueArguments);
    }
  }
}
