import { INestApplication, Injectable, LoggerService } from '@nestjs/common';
import * as amqplib from 'amqplib';
import { randomUUID } from 'crypto';
import { hostname } from 'os';
import { Component, ComponentInstance, ComponentMethod, ComponentRegistry, ComponentsModule, ComponentsModuleOptions, WarrenModule, componentQueue } from 'nestjs-warren';
import { closeAll, startApp } from './app';
import { BROKER_URL, RawClient, unique } from './broker';
import { LimitedUser, createLimitedUser } from './limited-user';

/** The user the tests' own connections authenticate as, read from RABBITMQ_URL as amqplib reads it. */
export const OWN_USER = (() => {
  const url = new URL(BROKER_URL);
  return url.username || url.password ? decodeURIComponent(url.username) : 'guest';
})();

class RecordingLogger implements LoggerService {
  readonly warnings: string[] = [];
  log(): void {}
  error(): void {}
  debug(): void {}
  verbose(): void {}
  warn(message: unknown): void {
    this.warnings.push(String(message));
  }
}

export function realComponent(name: string) {
  @Injectable()
  @Component(name, { version: '1.0.0' })
  class Real {
    @ComponentMethod()
    ping(word: string) {
      return word;
    }
  }
  return Real;
}

/** A well-formed announcement body (what a host sends), for a given instance. */
export function announcement(type: 'announce' | 'heartbeat' | 'goodbye', instance: Omit<Partial<ComponentInstance>, 'component' | 'instanceId'> & { component: unknown; instanceId: unknown }) {
  return { type, instance: { host: 'elsewhere', pid: 4242, version: '6.6.6', methods: [{ name: 'ping', params: [], schema: {} }], ...instance } };
}

/**
 * A registry, a real host of one component (both as the tests' own broker user), and an attacker:
 * a broker user that may write the registry exchange and nothing else, publishing with amqplib.
 */
export async function world(options: ComponentsModuleOptions = {}, hostOptions: ComponentsModuleOptions = {}) {
  const exchange = unique('registry');
  const component = unique('Real').replace(/\./g, '_');
  const attacker: LimitedUser = await createLimitedUser({ write: `^${exchange.replace(/\./g, '\\.')}$` });
  const logs = new RecordingLogger();
  const hostLogs = new RecordingLogger();
  const apps: INestApplication[] = [];
  let forger: amqplib.ChannelModel | undefined;
  const raw = await RawClient.connect();
  const close = async () => {
    await forger?.close().catch(() => undefined);
    await closeAll(...apps);
    await raw.deleteQueues(componentQueue(component));
    await raw.deleteExchanges(exchange);
    await raw.close();
    await attacker.remove();
  };
  try {
    const modules = { heartbeatMs: 60_000, registryExchange: exchange };
    apps.push(
      await startApp({ imports: [WarrenModule.forRoot({ logger: hostLogs }), ComponentsModule.forRoot({ ...modules, ...hostOptions })], providers: [realComponent(component)] }),
    );
    apps.push(await startApp({ imports: [WarrenModule.forRoot({ logger: logs }), ComponentsModule.forRoot({ ...modules, ...options })] }));
    const registry = apps[1].get(ComponentRegistry);
    if (!hostOptions.userId) await registry.waitFor(component, { timeoutMs: 10_000 });
    forger = await amqplib.connect(attacker.url);
    const channel = await forger.createConfirmChannel();
    let probes = 0;
    return {
      exchange,
      component,
      attacker,
      registry,
      logs,
      hostLogs,
      close,
      real: (): ComponentInstance => registry.get(component)!.instances.find((i) => i.host === hostname() && i.pid === process.pid)!,
      /** Publishes as the attacker (with its own, broker-verified user_id unless `properties` says otherwise). */
      async forge(body: unknown, properties: amqplib.Options.Publish = { userId: attacker.user }) {
        const content = Buffer.isBuffer(body) ? body : Buffer.from(JSON.stringify(body));
        channel.publish(exchange, '', content, { contentType: 'application/json', ...properties });
        await channel.waitForConfirms();
      },
      /**
       * Resolves once the registry has handled everything the attacker had confirmed before: a valid
       * announcement published after those (confirmed, so queued behind them) has come up.
       */
      async processed() {
        const probe = `${component}_probe${++probes}`;
        const body = announcement('announce', { component: probe, instanceId: randomUUID() });
        await raw.publish(exchange, '', JSON.stringify(body), { contentType: 'application/json', userId: OWN_USER });
        await registry.waitFor(probe, { timeoutMs: 10_000 });
      },
      raw,
    };
  } catch (error) {
    await close();
    throw error;
  }
}

export type RegistryWorld = Awaited<ReturnType<typeof world>>;
