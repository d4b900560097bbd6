import { Inject, Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { EventEmitter } from 'events';
import { BrokerConnection } from '../connection/broker-connection';
import { WarrenConsumers } from '../consumer/warren-consumers';
import { MessageProducer } from '../producer/message-producer';
import { declareExchanges } from './component.host';
import { COMPONENTS_OPTIONS, ComponentEntry, ComponentInstance, ComponentsModuleOptions, RegistryMessage } from './components-options.interface';
import { DEFAULT_HEARTBEAT_MS, DEFAULT_MISSED_HEARTBEATS, REGISTRY_EXCHANGE } from './components.constants';

/**
 * The live catalogue of components, kept from their announcements: who is up, where, with which
 * methods. An instance is up from its first announcement until its goodbye, or until it misses
 * `missedHeartbeats` heartbeats (a crash). At start it holds a roll call, so it fills at once.
 */
@Injectable()
export class ComponentRegistry implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly instances = new Map<string, ComponentInstance>();
  private readonly events = new EventEmitter();
  private sweeper?: NodeJS.Timeout;

  constructor(
    private readonly consumers: WarrenConsumers,
    private readonly producer: MessageProducer,
    private readonly connection: BrokerConnection,
    @Inject(COMPONENTS_OPTIONS) private readonly options: ComponentsModuleOptions,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const exchange = this.options.registryExchange ?? REGISTRY_EXCHANGE;
    await declareExchanges(this.connection, exchange);
    await this.consumers.add(
      { type: 'subscribe', exchange, routingKey: '', retry: false, deadLetterQueue: false },
      (payload) => this.receive(payload as RegistryMessage),
      'ComponentRegistry',
    );
    await this.producer.publish(exchange, '', { type: 'query' } satisfies RegistryMessage, { mandatory: false, persistent: false });
    const heartbeatMs = this.options.heartbeatMs ?? DEFAULT_HEARTBEAT_MS;
    this.sweeper = setInterval(() => this.sweep(), Math.max(50, Math.floor(heartbeatMs / 2)));
    this.sweeper.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.sweeper);
  }

  /** Every component with at least one live instance. */
  list(): ComponentEntry[] {
    const byName = new Map<string, ComponentEntry>();
    for (const instance of this.instances.values()) {
      const entry = byName.get(instance.component) ?? { name: instance.component, methods: instance.methods, instances: [] };
      entry.instances.push({ ...instance });
      byName.set(instance.component, entry);
    }
    return [...byName.values()].sort((a, b) => a.name.localeCompare(b.name));
  }

  get(name: string): ComponentEntry | undefined {
    return this.list().find((entry) => entry.name === name);
  }

  /** Resolves with the component once an instance of it is up; rejects after `timeoutMs`. */
  waitFor(name: string, options: { timeoutMs?: number } = {}): Promise<ComponentEntry> {
    const known = this.get(name);
    if (known) return Promise.resolve(known);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        off();
        reject(new Error(`No instance of component '${name}' came up within ${options.timeoutMs ?? 10_000} ms`));
      }, options.timeoutMs ?? 10_000);
      const off = this.on('up', (instance) => {
        if (instance.component !== name) return;
        clearTimeout(timer);
        off();
        resolve(this.get(name)!);
      });
    });
  }

  /** `up`: an instance announced itself; `down`: it said goodbye or stopped sending heartbeats. */
  on(event: 'up' | 'down', listener: (instance: ComponentInstance) => void): () => void {
    this.events.on(event, listener);
    return () => this.events.off(event, listener);
  }

  private receive(message: RegistryMessage): void {
    const instance = message?.instance;
    if (!instance || typeof instance.instanceId !== 'string') return;
    if (message.type === 'goodbye') {
      this.remove(instance.instanceId);
      return;
    }
    const known = this.instances.has(instance.instanceId);
    this.instances.set(instance.instanceId, { ...instance, lastSeen: Date.now() });
    if (!known) this.events.emit('up', this.instances.get(instance.instanceId));
  }

  private sweep(): void {
    const window = (this.options.heartbeatMs ?? DEFAULT_HEARTBEAT_MS) * (this.options.missedHeartbeats ?? DEFAULT_MISSED_HEARTBEATS);
    for (const [id, instance] of this.instances) if (Date.now() - instance.lastSeen > window) this.remove(id);
  }

  private remove(instanceId: string): void {
    const instance = this.instances.get(instanceId);
    if (!instance) return;
    this.instances.delete(instanceId);
    this.events.emit('down', instance);
  }
}
