import type { BrokerCapabilities } from '../connection/broker-capabilities';
import { WarrenConfigurationError } from '../errors/configuration.error';
import { MESSAGES } from '../warren.messages';
import type { HandlerDefinition } from './handler-definition';

/**
 * What the broker's version refuses, or deprecates, in a queue's declaration, checked before
 * anything is declared: a refusal fails the start-up with a `WarrenConfigurationError` naming the
 * option and the version (instead of the channel error the declaration would get); a deprecation
 * is returned as a warning. Quorum-specific rules (priorities, `deliveryLimit: -1`) are in
 * `queueKindOf`. Warren itself never asks for global QoS (deprecated from 4.0, denied by default
 * on 4.3) and declares its own server-named queues exclusive.
 */
export function checkQueueForBroker(handlers: HandlerDefinition[], queue: string | undefined, broker: BrokerCapabilities): string[] {
  const warnings: string[] = [];
  const name = queue ?? '(server-named)';
  for (const handler of handlers) {
    const options = handler.options.queueOptions ?? {};
    if (broker.refusesQueueVersion1 && Number(options.arguments?.['x-queue-version']) === 1) {
      throw new WarrenConfigurationError(
        MESSAGES.brokerRefuses(handler.name, name, 'x-queue-version: 1', broker.label, 'RabbitMQ 4.3 removed classic queue version 1; remove the argument (version 2 is the default)'),
      );
    }
    const transient = queue !== undefined && options.durable === false && !options.exclusive;
    if (transient && broker.deprecatesTransientQueues && handler.options.createQueueIfNotExists !== false) {
      warnings.push(
        MESSAGES.brokerDeprecates(
          handler.name,
          name,
          'durable: false without exclusive (a transient non-exclusive queue)',
          broker.label,
          'a broker with deprecated_features.permit.transient_nonexcl_queues = false refuses it; make it durable, or exclusive',
        ),
      );
    }
  }
  return [...new Set(warnings)];
}
