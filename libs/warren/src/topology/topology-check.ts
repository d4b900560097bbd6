import type { ChannelModel } from 'amqplib';
import type { BrokerConnection } from '../connection/broker-connection';
import { WarrenConfigurationError } from '../errors/configuration.error';
import type { HandlerDefinition } from '../consumer/handler-definition';
import { handlerPolicy, delaySteps } from '../consumer/handler-policy';
import { delayQueueName } from '../consumer/failure-policy';
import type { ResolvedWarrenOptions } from '../warren-options';

interface Required {
  exchanges: Set<string>;
  queues: Set<string>;
}

/** Everything the application needs to exist: the topology's, its handlers' and Warren's own queues. */
export function requiredTopology(options: ResolvedWarrenOptions, handlers: HandlerDefinition[]): Required {
  const { topology } = options.topology;
  const exchanges = new Set([...options.exchanges.map((e) => e.name), ...topology.exchanges.map((e) => e.name)]);
  const queues = new Set(topology.queues.map((q) => q.name));
  for (const handler of handlers) {
    const { exchange, bindings, queue } = handler.options;
    if (exchange) exchanges.add(exchange);
    for (const binding of bindings ?? []) exchanges.add(binding.exchange);
    if (!queue) continue;
    queues.add(queue);
    const policy = handlerPolicy(handler, queue, true, options.retry);
    if (policy.deadLetterQueue) queues.add(policy.deadLetterQueue);
    for (const delayMs of delaySteps([policy])) queues.add(delayQueueName(queue, delayMs));
  }
  exchanges.delete('');
  return { exchanges, queues };
}

/**
 * `topology.mode: 'check'`: declares nothing, checks that every exchange and queue exists (each
 * on a throwaway channel, as a failed check closes it), and fails with one error naming them all.
 */
export async function checkTopology(connection: BrokerConnection, required: Required): Promise<void> {
  const model = connection.currentConnection;
  if (!model) throw new WarrenConfigurationError('Cannot check the topology: not connected to the broker');
  const missing: string[] = [];
  for (const name of required.exchanges) if (!(await exists(model, (ch) => ch.checkExchange(name)))) missing.push(`exchange '${name}'`);
  for (const name of required.queues) if (!(await exists(model, (ch) => ch.checkQueue(name)))) missing.push(`queue '${name}'`);
  if (missing.length > 0) {
    throw new WarrenConfigurationError(
      `topology.mode is 'check' and ${missing.length} object(s) are missing on the broker: ${missing.join(', ')}. ` +
        "Declare them (or let Warren: topology.mode 'assert') before starting the application.",
    );
  }
}

async function exists(model: ChannelModel, check: (channel: Awaited<ReturnType<ChannelModel['createChannel']>>) => Promise<unknown>): Promise<boolean> {
  const channel = await model.createChannel();
  channel.on('error', () => undefined); // a 404 closes this channel: that is the answer
  try {
    await check(channel);
    await channel.close().catch(() => undefined);
    return true;
  } catch {
    return false;
  }
}
