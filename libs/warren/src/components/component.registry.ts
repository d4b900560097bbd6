import { Inject, Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import type { ConsumeMessage } from 'amqplib';
import { EventEmitter } from 'events';
import { BrokerConnection } from '../connection/broker-connection';
import { WarrenConsumers } from '../consumer/warren-consumers';
import { WarrenLogger } from '../logging/warren-logger';
import { redactText } from '../logging/redact';
import { MessageProducer } from '../producer/message-producer';
import { MESSAGES } from '../warren.messages';
import { declareExchanges } from './component.host';
import { COMPONENTS_OPTIONS, ComponentEntry, ComponentInstance, RegistryMessage, ResolvedComponentsOptions } from './components-options.interface';
import { REGISTRY_WARNING_INTERVAL_MS } from './components.constants';
import { InstanceTable } from './instance-table';
import { RateLimitedWarnings } from './rate-limited-warnings';
import { AnnouncedInstance, parseRegistryMessage } from './registry-message';

/**
 * The live catalogue of components, kept from their announcements: who is up, where, with which
 * methods. An instance is up from its first announcement until its goodbye, or until it misses
 * `missedHeartbeats` heartbeats (a crash). At start it holds a roll call, so it fills at once.
 *
 * Whoever may publish to the registry exchange can announce, so each message is checked (see
 * `parseRegistryMessage`), the catalogue is capped, and each instance is bound to the broker user
 * that announced it (the `user_id` the broker verified): only that user's heartbeats and goodbye
 * count for it. Instances of two apps with the same broker user cannot be told apart.
 */
@Injectable()
export class ComponentRegistry implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly instances: InstanceTable;
  private readonly events = new EventEmitter();
  private readonly warnings: RateLimitedWarnings;
  private sweeper?: NodeJS.Timeout;

  constructor(
    private readonly consumers: WarrenConsumers,
    private readonly producer: MessageProducer,
    private readonly connection: BrokerConnection,
    @Inject(COMPONENTS_OPTIONS) private readonly options: ResolvedComponentsOptions,
    logger: WarrenLogger,
  ) {
    this.instances = new InstanceTable(options.registry);
    this.warnings = new RateLimitedWarnings(logger.child('Warren:ComponentRegistry'), REGISTRY_WARNING_INTERVAL_MS);
  }

  /** Nest lifecycle hook: subscribes to announcements and asks every instance to announce itself. */
  async onApplicationBootstrap(): Promise<void> {
    const exchange = this.options.registryExchange;
    await declareExchanges(this.connection, exchange);
    await this.consumers.add(
      { type: 'subscribe', exchange, routingKey: '', retry: false, deadLetterQueue: false },
      (payload, message) => this.receive(payload, message),
      'ComponentRegistry',
    );
    await this.producer.publish(exchange, '', { type: 'query' } satisfies RegistryMessage, { mandatory: false, persistent: false });
    this.sweeper = setInterval(() => this.sweep(), Math.max(50, Math.floor(this.options.heartbeatMs / 2)));
    this.sweeper.unref();
  }

  /** Nest lifecycle hook: stops watching for missed heartbeats. */
  onApplicationShutdown(): void {
    clearInterval(this.sweeper);
  }

  /** Every component with at least one live instance, by name. */
  list(): ComponentEntry[] {
    const byName = new Map<string, ComponentEntry>();
    for (const instance of this.instances.values()) {
      const entry = byName.get(instance.component) ?? { name: instance.component, methods: instance.methods, instances: [] };
      entry.instances.push({ ...instance });
      byName.set(instance.component, entry);
    }
    return [...byName.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  /** The catalogue entry of one component (its methods and live instances), or undefined. */
  get(name: string): ComponentEntry | undefined {
    let entry: ComponentEntry | undefined;
    for (const instance of this.instances.values()) {
      if (instance.component !== name) continue;
      entry ??= { name, methods: instance.methods, instances: [] };
      entry.instances.push({ ...instance });
    }
    return entry;
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

  private receive(payload: unknown, message: ConsumeMessage): void {
    const limit = this.options.registry.maxMessageBytes;
    if (message.content.length > limit) {
      this.warnings.warn('malformed', () => MESSAGES.registryMalformed(`${message.content.length} bytes, more than registry.maxMessageBytes (${limit})`));
      return;
    }
    const parsed = parseRegistryMessage(payload);
    if ('invalid' in parsed) {
      this.warnings.warn('malformed', () => MESSAGES.registryMalformed(parsed.invalid));
      return;
    }
    if (parsed.type === 'query') return;
    // The broker checked user_id against the sender's connection; the payload is not believed.
    const userId = typeof message.properties.userId === 'string' ? message.properties.userId : undefined;
    if (userId === undefined && !this.options.registry.allowUnverified) {
      this.warnings.warn('unverified', () => MESSAGES.registryUnverified(parsed.type));
      return;
    }
    if (parsed.type === 'goodbye') this.leave(parsed.instanceId, userId);
    else this.admit(parsed.type, parsed.instance, userId, message.content.length);
  }

  private admit(type: string, announced: AnnouncedInstance, userId: string | undefined, bytes: number): void {
    if (!this.trusted(announced.component, userId)) {
      this.warnings.warn('untrusted', () => MESSAGES.registryUntrusted(redactText(announced.component), sender(userId)));
      return;
    }
    const admission = this.instances.admit(announced, userId, Date.now(), bytes);
    if (admission.outcome === 'added') this.events.emit('up', { ...admission.instance });
    else if (admission.outcome === 'foreign') this.warnings.warn('foreign', () => MESSAGES.registryForeign(type, redactText(announced.instanceId), sender(userId)));
    else if (admission.outcome === 'full') {
      const { maxInstances, maxInstancesPerComponent, maxTotalBytes } = this.options.registry;
      const limit =
        admission.limit === 'total'
          ? `${maxInstances} instances in total`
          : admission.limit === 'bytes'
            ? `${maxTotalBytes} bytes of announcements in total`
            : `${maxInstancesPerComponent} instances of '${redactText(announced.component)}'`;
      this.warnings.warn('full', () => MESSAGES.registryFull(limit));
    }
  }

  private leave(instanceId: string, userId: string | undefined): void {
    const left = this.instances.leave(instanceId, userId);
    if (left.outcome === 'removed') this.events.emit('down', { ...left.instance });
    else if (left.outcome === 'foreign') this.warnings.warn('foreign', () => MESSAGES.registryForeign('goodbye', redactText(instanceId), sender(userId)));
  }

  /** A `trust` hook that throws refuses: the catalogue is not left to an exception. */
  private trusted(component: string, userId: string | undefined): boolean {
    const trust = this.options.registry.trust;
    if (!trust) return true;
    try {
      return trust(component, userId) === true;
    } catch {
      return false;
    }
  }

  private sweep(): void {
    const window = this.options.heartbeatMs * this.options.missedHeartbeats;
    for (const instance of this.instances.expire(Date.now() - window)) this.events.emit('down', { ...instance });
  }
}

function sender(userId: string | undefined): string {
  return userId === undefined ? 'an unverified sender' : `broker user '${redactText(userId)}'`;
}
