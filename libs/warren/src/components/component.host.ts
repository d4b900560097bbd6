import { BeforeApplicationShutdown, Inject, Injectable, OnApplicationBootstrap, OnModuleInit } from '@nestjs/common';
import { randomUUID } from 'crypto';
import { hostname } from 'os';
import { BrokerConnection } from '../connection/broker-connection';
import { WarrenConsumers } from '../consumer/warren-consumers';
import { PublishError } from '../errors/publish.error';
import { WarrenLogger } from '../logging/warren-logger';
import { redactText } from '../logging/redact';
import { MessageProducer } from '../producer/message-producer';
import { MESSAGES } from '../warren.messages';
import { argumentsSchema, bindArguments } from './component-arguments';
import { ComponentDefinition, ComponentExplorer } from './component.explorer';
import { COMPONENTS_OPTIONS, RegistryMessage, ResolvedComponentsOptions } from './components-options.interface';
import { COMPONENTS_EXCHANGE, COMPONENT_ERRORS, ROLL_CALL_INTERVAL_MS, componentQueue } from './components.constants';
import { AnnouncedInstance, parseRegistryMessage } from './registry-message';
import { TrailingThrottle } from './trailing-throttle';

/** A call as it travels: the method's name and its arguments by name. */
export interface ComponentCall {
  method: string;
  args: unknown;
}

/**
 * Serves this app's components: one RPC consumer per component on its durable queue (replicas
 * share it), methods routed by name with their arguments checked; announces each instance to the
 * registry at start, by heartbeat, on a roll call (at most one answer per second), and says
 * goodbye at shutdown. Announcements carry the connection's broker user as `user_id`, which the
 * broker verifies, so registries can bind the instance to it.
 */
@Injectable()
export class ComponentHost implements OnModuleInit, OnApplicationBootstrap, BeforeApplicationShutdown {
  private components: ComponentDefinition[] = [];
  /** What each component announces (it does not change while the app runs). */
  private announcements: AnnouncedInstance[] = [];
  private readonly instanceId = randomUUID();
  private heartbeat?: NodeJS.Timeout;
  private readonly rollCall = new TrailingThrottle(ROLL_CALL_INTERVAL_MS, () => void this.announce('announce').catch(() => undefined));
  private readonly logger: WarrenLogger;
  /** The last user the connection was known to authenticate as (it is unknown while disconnected). */
  private connectionUser?: string;
  /** The broker refused the user_id: announce without one from then on. */
  private userIdRefused = false;

  constructor(
    private readonly explorer: ComponentExplorer,
    private readonly consumers: WarrenConsumers,
    private readonly producer: MessageProducer,
    private readonly connection: BrokerConnection,
    @Inject(COMPONENTS_OPTIONS) private readonly options: ResolvedComponentsOptions,
    logger: WarrenLogger,
  ) {
    this.logger = logger.child('Warren:ComponentHost');
  }

  /** Components and their methods' signatures are read here, so a contradictory declaration fails before anything consumes. */
  onModuleInit(): void {
    this.components = this.explorer.explore();
  }

  async onApplicationBootstrap(): Promise<void> {
    await declareExchanges(this.connection, this.options.registryExchange);
    if (this.components.length === 0) return;
    this.announcements = this.components.map((component) => this.describe(component));
    await this.consumers.addMany([
      ...this.components.map((component) => ({
        name: `Component(${component.name})`,
        options: { type: 'rpc' as const, exchange: COMPONENTS_EXCHANGE, routingKey: component.name, queue: componentQueue(component.name) },
        handler: (payload: unknown) => this.serve(component, payload as ComponentCall),
      })),
      {
        name: 'ComponentHost.rollCall',
        options: { type: 'subscribe' as const, exchange: this.options.registryExchange, routingKey: '', retry: false as const, deadLetterQueue: false as const },
        handler: (payload: unknown) => {
          if ((payload as RegistryMessage | null)?.type === 'query') this.rollCall.trigger();
        },
      },
    ]);
    await this.announce('announce');
    this.heartbeat = setInterval(() => void this.announce('heartbeat').catch(() => undefined), this.options.heartbeatMs);
    this.heartbeat.unref();
  }

  async beforeApplicationShutdown(): Promise<void> {
    clearInterval(this.heartbeat);
    this.rollCall.stop();
    if (this.components.length > 0) await this.announce('goodbye').catch(() => undefined);
    this.components = [];
    this.announcements = [];
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

  /** The component's announcement; warns when a registry with this app's limits would drop it. */
  private describe(component: ComponentDefinition): AnnouncedInstance {
    const instance: AnnouncedInstance = {
      component: component.name,
      instanceId: `${this.instanceId}:${component.name}`,
      host: hostname(),
      pid: process.pid,
      version: component.version,
      methods: [...component.methods].map(([name, m]) => ({ name, params: m.signature.params, schema: argumentsSchema(m.signature) })),
    };
    const parsed = parseRegistryMessage({ type: 'announce', instance });
    const bytes = Buffer.byteLength(JSON.stringify({ type: 'announce', instance }));
    const limit = this.options.registry.maxMessageBytes;
    const problem = 'invalid' in parsed ? parsed.invalid : bytes > limit ? `${bytes} bytes, more than registry.maxMessageBytes (${limit})` : undefined;
    if (problem) this.logger.warn(MESSAGES.componentNotListable(component.name, problem));
    return instance;
  }

  private async announce(type: RegistryMessage['type']): Promise<void> {
    for (const instance of this.announcements) await this.send({ type, instance });
  }

  private async send(message: RegistryMessage): Promise<void> {
    const userId = this.announcingAs();
    const publish = (as?: string) =>
      this.producer.publish(this.options.registryExchange, '', message, { mandatory: false, persistent: false, ...(as === undefined ? {} : { userId: as }) });
    try {
      await publish(userId);
    } catch (error) {
      if (userId === undefined || !(error instanceof PublishError) || !/user_id/.test(error.reason ?? '')) throw error;
      if (!this.userIdRefused) this.logger.warn(MESSAGES.componentsUserIdRefused(redactText(userId), redactText(error.reason ?? error.message)));
      this.userIdRefused = true;
      await publish(undefined);
    }
  }

  /** The `user_id` announcements carry: the option's, else the connection's user; none once the broker refused it. */
  private announcingAs(): string | undefined {
    if (this.options.userId === false || this.userIdRefused) return undefined;
    if (typeof this.options.userId === 'string') return this.options.userId;
    this.connectionUser = this.connection.user ?? this.connectionUser;
    return this.connectionUser;
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
