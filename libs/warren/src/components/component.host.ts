import { BeforeApplicationShutdown, Inject, Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { randomUUID } from 'crypto';
import { hostname } from 'os';
import { BrokerConnection } from '../connection/broker-connection';
import { WarrenConsumers } from '../consumer/warren-consumers';
import { MessageProducer } from '../producer/message-producer';
import { argumentsSchema, bindArguments } from './component-arguments';
import { ComponentDefinition, ComponentExplorer } from './component.explorer';
import { COMPONENTS_OPTIONS, ComponentsModuleOptions, RegistryMessage } from './components-options.interface';
import { COMPONENTS_EXCHANGE, COMPONENT_ERRORS, DEFAULT_HEARTBEAT_MS, REGISTRY_EXCHANGE, componentQueue } from './components.constants';

/** A call as it travels: the method's name and its arguments by name. */
export interface ComponentCall {
  method: string;
  args: unknown;
}

/**
 * Serves this app's components: one RPC consumer per component on its durable queue (replicas
 * share it), methods routed by name with their arguments checked; announces each instance to the
 * registry at start, by heartbeat, on a roll call, and says goodbye at shutdown.
 */
@Injectable()
export class ComponentHost implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private components: ComponentDefinition[] = [];
  private readonly instanceId = randomUUID();
  private heartbeat?: NodeJS.Timeout;

  constructor(
    private readonly explorer: ComponentExplorer,
    private readonly consumers: WarrenConsumers,
    private readonly producer: MessageProducer,
    private readonly connection: BrokerConnection,
    @Inject(COMPONENTS_OPTIONS) private readonly options: ComponentsModuleOptions,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await declareExchanges(this.connection, this.registryExchange);
    this.components = this.explorer.explore();
    if (this.components.length === 0) return;
    await this.consumers.addMany([
      ...this.components.map((component) => ({
        name: `Component(${component.name})`,
        options: { type: 'rpc' as const, exchange: COMPONENTS_EXCHANGE, routingKey: component.name, queue: componentQueue(component.name) },
        handler: (payload: unknown) => this.serve(component, payload as ComponentCall),
      })),
      {
        name: 'ComponentHost.rollCall',
        options: { type: 'subscribe' as const, exchange: this.registryExchange, routingKey: '', retry: false as const, deadLetterQueue: false as const },
        handler: (payload: unknown) => ((payload as RegistryMessage)?.type === 'query' ? this.announce('announce') : undefined),
      },
    ]);
    await this.announce('announce');
    this.heartbeat = setInterval(() => void this.announce('heartbeat').catch(() => undefined), this.options.heartbeatMs ?? DEFAULT_HEARTBEAT_MS);
    this.heartbeat.unref();
  }

  async beforeApplicationShutdown(): Promise<void> {
    clearInterval(this.heartbeat);
    if (this.components.length > 0) await this.announce('goodbye').catch(() => undefined);
    this.components = [];
  }

  private get registryExchange(): string {
    return this.options.registryExchange ?? REGISTRY_EXCHANGE;
  }

  private async serve(component: ComponentDefinition, call: ComponentCall): Promise<unknown> {
    const method = component.methods.get(String(call?.method));
    if (!method) {
      const methods = [...component.methods.keys()];
      throw failure(COMPONENT_ERRORS.unknownMethod, `${component.name} has no method '${String(call?.method)}' (it has: ${methods.join(', ')})`, { methods });
    }
    const bound = await bindArguments(method.signature, call.args);
    if ('errors' in bound) {
      const text = Object.entries(bound.errors).map(([arg, messages]) => `${arg}: ${messages.join(', ')}`).join('; ');
      throw failure(COMPONENT_ERRORS.validationFailed, `Invalid arguments for ${component.name}.${call.method}: ${text}`, bound.errors);
    }
    return component.instance[method.property](...bound.values);
  }

  private async announce(type: RegistryMessage['type']): Promise<void> {
    for (const component of this.components) {
      const instance = {
        component: component.name,
        instanceId: `${this.instanceId}:${component.name}`,
        host: hostname(),
        pid: process.pid,
        version: component.version,
        methods: [...component.methods].map(([name, m]) => ({ name, params: m.signature.params, schema: argumentsSchema(m.signature) })),
      };
      await this.producer.publish(this.registryExchange, '', { type, instance } satisfies RegistryMessage, { mandatory: false, persistent: false });
    }
  }
}

function failure(code: string, message: string, details: unknown): Error {
  return Object.assign(new Error(message), { code, details });
}

/** The calls exchange (direct) and the registry's (fanout), declared by whoever needs them first. */
export async function declareExchanges(connection: BrokerConnection, registryExchange: string): Promise<void> {
  const channel = connection.topologyChannel;
  await channel.assertExchange(COMPONENTS_EXCHANGE, 'direct', { durable: true });
  await channel.assertExchange(registryExchange, 'fanout', { durable: true });
}
