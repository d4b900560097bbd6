import { argumentsSchema } from '../components/component-arguments';
import type { ComponentDefinition } from '../components/component.explorer';
import { COMPONENTS_EXCHANGE, componentQueue } from '../components/components.constants';
import type { HandlerDefinition } from '../consumer/handler-definition';
import type { MessageCatalog } from './message-catalog';

/**
 * The requests a component's consumer takes: one message per `@ComponentMethod`, `{ method, args }`
 * with the arguments' schema — the DTO's, or one property per parameter, as the registry is told.
 */
export function componentDescriber(components: readonly ComponentDefinition[], messages: MessageCatalog) {
  return (handler: HandlerDefinition): { request: string[] } | undefined => {
    const { exchange, routingKey, queue } = handler.options;
    if (exchange !== COMPONENTS_EXCHANGE || typeof routingKey !== 'string' || queue !== componentQueue(routingKey)) return undefined;
    const component = components.find((c) => c.name === routingKey);
    if (!component || component.methods.size === 0) return undefined;
    const request = [...component.methods].map(([method, { signature }]) => {
      const args = (signature.dto && messages.schemas.schemaOf(signature.dto)) || argumentsSchema(signature);
      return messages.custom(
        'request',
        `component:${component.name}.${method}`,
        `${component.name}_${method}`,
        { type: 'object', required: ['method', 'args'], properties: { method: { type: 'string', const: method }, args } },
        `A call of ${component.name}.${method} (component version ${component.version})`,
      );
    });
    return { request };
  };
}
