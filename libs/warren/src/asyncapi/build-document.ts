import type { ComponentDefinition } from '../components/component.explorer';
import type { ConsumerPlan } from '../consumer/queue-consumer';
import { declaredExchanges } from '../topology/topology-declaration';
import { JSON_CONTENT_TYPE } from '../warren.constants';
import type { ResolvedWarrenOptions } from '../warren-options';
import type { AsyncApiDocument } from './asyncapi.types';
import { ExchangeInfo, queueChannel } from './amqp-channels';
import { componentDescriber } from './describe-components';
import { ReceiverContext, describeCompanions, describeConsumer } from './describe-receivers';
import { SenderContext, describePublication, describeSentContract } from './describe-senders';
import { DocumentModel } from './document-model';
import { MessageCatalog } from './message-catalog';
import { describeServers } from './servers';

/** What the document is made from: the resolved options and the consumers as they were built. */
export interface DocumentInput {
  options: ResolvedWarrenOptions;
  consumers: readonly ConsumerPlan[];
  /** The app's `@Component`s and the exchanges ComponentsModule declares, when it is imported. */
  components?: { definitions: readonly ComponentDefinition[]; exchanges: readonly ExchangeInfo[] };
}

/** The document's `info`: title and version (defaults: the connection's name and '1.0.0'). */
export interface DocumentInfo {
  title?: string;
  version?: string;
}

/** The AsyncAPI 3.0.0 document of one Warren connection. Plain JSON: nothing in it is shared or live. */
export function buildDocument(input: DocumentInput, info: DocumentInfo = {}): AsyncApiDocument {
  const { options, consumers } = input;
  const { servers, vhost } = describeServers(options.uris);
  const model = new DocumentModel();
  const messages = new MessageCatalog(model);
  const exchanges = exchangeInfos(options, input.components?.exchanges ?? []);
  const topologyBindings = new Map<string, Array<{ exchange: string; routingKey: string }>>();
  for (const b of options.topology.topology.bindings) {
    if (b.queue !== undefined) topologyBindings.set(b.queue, [...(topologyBindings.get(b.queue) ?? []), { exchange: b.exchange, routingKey: b.routingKey }]);
  }
  const receivers: ReceiverContext = { model, messages, exchanges, vhost, topologyBindings };
  if (input.components) receivers.describeHandler = componentDescriber(input.components.definitions, messages);
  for (const plan of consumers) describeConsumer(plan, receivers);
  for (const queue of options.topology.topology.queues) {
    const { durable = true, exclusive = false, autoDelete = false } = queue.options ?? {};
    const extensions: Record<string, unknown> = {};
    if (queue.options?.arguments) extensions['x-warren-arguments'] = { ...queue.options.arguments };
    if (topologyBindings.has(queue.name)) extensions['x-warren-bindings'] = topologyBindings.get(queue.name);
    model.channel(queueChannel({ name: queue.name, durable, exclusive, autoDelete, description: `Queue '${queue.name}' of the module's topology`, extensions }, vhost));
  }
  for (const plan of consumers) describeCompanions(plan, receivers);
  const senders: SenderContext = { model, messages, exchanges, vhost, mandatory: options.mandatory, defaults: options.defaultPublishOptions };
  for (const [name, publication] of Object.entries(options.topology.publications)) describePublication(name, publication, senders);
  for (const contract of options.contracts) describeSentContract(contract, senders);
  const rendered = model.render();
  const document: AsyncApiDocument = {
    asyncapi: '3.0.0',
    info: {
      title: info.title ?? options.connection.name,
      version: info.version ?? '1.0.0',
      description: `What the Warren connection '${options.connection.name}' receives and sends, read from its handlers, topology, publications and contracts.`,
    },
    defaultContentType: JSON_CONTENT_TYPE,
    servers,
    channels: rendered.channels,
    operations: rendered.operations,
    components: { schemas: messages.schemas.components, messages: rendered.messages },
  };
  return JSON.parse(JSON.stringify(document)) as AsyncApiDocument;
}

/** The exchanges Warren declares (module and topology, with their defaults), and ComponentsModule's. */
function exchangeInfos(options: ResolvedWarrenOptions, extra: readonly ExchangeInfo[]): Map<string, ExchangeInfo> {
  const map = new Map<string, ExchangeInfo>();
  for (const exchange of extra) map.set(exchange.name, exchange);
  for (const exchange of declaredExchanges(options)) {
    map.set(exchange.name, { name: exchange.name, type: exchange.type, durable: exchange.options.durable ?? true, autoDelete: exchange.options.autoDelete ?? false });
  }
  return map;
}
