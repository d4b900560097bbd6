import { INestApplication, Injectable, LoggerService } from '@nestjs/common';
import * as amqplib from 'amqplib';
import { randomUUID } from 'crypto';
import { hostname } from 'os';
import { Component, ComponentInstance, ComponentMethod, ComponentRegistry, ComponentsModule, ComponentsModuleOptions, WarrenModule, componentQueue } from 'nestjs-warren';
import { closeAll, startApp } from './support/app';
import { BROKER_URL, RawClient, unique, waitFor } from './support/broker';
import { LimitedUser, createLimitedUser } from './support/limited-user';

/** The user the tests' own connections authenticate as, read from RABBITMQ_URL as amqplib reads it. */
const OWN_USER = (() => {
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

function realComponent(name: string) {
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
function announcement(type: 'announce' | 'heartbeat' | 'goodbye', instance: Omit<Partial<ComponentInstance>, 'component' | 'instanceId'> & { component: unknown; instanceId: unknown }) {
  return { type, instance: { host: 'elsewhere', pid: 4242, version: '6.6.6', methods: [{ name: 'ping', params: [], schema: {} }], ...instance } };
}

/**
 * A registry, a real host of one component (both as the tests' own broker user), and an attacker:
 * a broker user that may write the registry exchange and nothing else, publishing with amqplib.
 */
async function world(options: ComponentsModuleOptions = {}, hostOptions: ComponentsModuleOptions = {}) {
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

describe('component registry: identity and validation (real broker)', () => {
  let w: Awaited<ReturnType<typeof world>>;

  beforeAll(async () => {
    w = await world();
  });

  afterAll(async () => {
    await w?.close();
  });

  it('the real instance is bound to the broker user of its host', () => {
    expect(w.real()).toMatchObject({ component: w.component, userId: OWN_USER });
  });

  it('the broker itself refuses an attacker claiming another user_id', async () => {
    const connection = await amqplib.connect(w.attacker.url);
    try {
      const channel = await connection.createConfirmChannel();
      const closed = new Promise<Error>((resolve) => channel.on('error', resolve));
      channel.publish(w.exchange, '', Buffer.from('{}'), { userId: OWN_USER });
      await expect(closed).resolves.toMatchObject({ code: 406 });
    } finally {
      await connection.close().catch(() => undefined);
    }
  });

  it('(a) a goodbye for the real instance from another user, or without a user, does not remove it', async () => {
    const real = w.real();
    const down: string[] = [];
    const off = w.registry.on('down', (instance) => down.push(instance.instanceId));
    await w.forge({ type: 'goodbye', instance: { ...real } });
    await w.forge({ type: 'goodbye', instance: { ...real } }, {});
    await w.processed();
    off();
    expect(down).not.toContain(real.instanceId);
    expect(w.real()).toMatchObject({ instanceId: real.instanceId, userId: OWN_USER });
  });

  it("(b) an announcement or heartbeat for the real instance's id from another user does not replace it", async () => {
    const real = w.real();
    for (const type of ['announce', 'heartbeat'] as const) {
      const forged = announcement(type, { component: w.component, instanceId: real.instanceId, userId: OWN_USER });
      await w.forge(forged);
      await w.forge(forged, {});
    }
    await w.processed();
    const entry = w.registry.get(w.component)!;
    expect(entry.instances.filter((i) => i.instanceId === real.instanceId)).toEqual([real]);
    expect(entry.methods.map((m) => m.params)).toEqual([[{ name: 'word', type: 'string' }]]);
    expect(w.logs.warnings.some((line) => line.includes(real.instanceId))).toBe(true);
  });

  it("the user an instance is listed with is the broker's, never one named in the payload; unverified ones are not listed", async () => {
    const claimed = randomUUID();
    const unverified = randomUUID();
    await w.forge(announcement('announce', { component: `${w.component}_fake`, instanceId: claimed, userId: OWN_USER }));
    await w.forge(announcement('announce', { component: `${w.component}_fake`, instanceId: unverified }), {});
    await w.processed();
    expect(w.registry.get(`${w.component}_fake`)?.instances.map((i) => [i.instanceId, i.userId])).toEqual([[claimed, w.attacker.user]]);
  });

  it('(c) malformed announcements are dropped with a rate-limited warning; list(), get() and waitFor() keep working', async () => {
    const id = () => randomUUID();
    const c = `${w.component}_bad`;
    const deep = JSON.parse(`${'{"a":'.repeat(2_000)}1${'}'.repeat(2_000)}`);
    const malformed: unknown[] = [
      announcement('announce', { component: 42, instanceId: id() }),
      announcement('heartbeat', { component: 42, instanceId: id() }),
      announcement('announce', { component: '', instanceId: id() }),
      announcement('announce', { component: `${c}\u0000x`, instanceId: id() }),
      announcement('announce', { component: 'x'.repeat(300), instanceId: id() }),
      announcement('announce', { component: c, instanceId: { not: 'a string' } }),
      announcement('announce', { component: c, instanceId: 'i'.repeat(1_000) }),
      announcement('announce', { component: c, instanceId: id(), pid: '1' as unknown as number }),
      announcement('announce', { component: c, instanceId: id(), pid: -1 }),
      announcement('announce', { component: c, instanceId: id(), pid: 1.5 }),
      announcement('announce', { component: c, instanceId: id(), version: 7 as unknown as string }),
      announcement('announce', { component: c, instanceId: id(), host: 'h'.repeat(300) }),
      announcement('announce', { component: c, instanceId: id(), host: 'h'.repeat(100_000) }),
      announcement('announce', { component: c, instanceId: id(), methods: 'all' as unknown as [] }),
      announcement('announce', { component: c, instanceId: id(), methods: Array.from({ length: 300 }, (_, i) => ({ name: `m${i}`, params: [], schema: {} })) }),
      announcement('announce', { component: c, instanceId: id(), methods: [{ name: 'm'.repeat(1_000), params: [], schema: {} }] }),
      announcement('announce', { component: c, instanceId: id(), methods: [{ name: 'm', params: 'a, b' as unknown as [], schema: {} }] }),
      announcement('announce', { component: c, instanceId: id(), methods: [{ name: 'm', params: [{ name: 'a', type: 5 as unknown as string }], schema: {} }] }),
      announcement('announce', { component: c, instanceId: id(), methods: [{ name: 'm', params: [], schema: deep }] }),
      announcement('announce', { component: c, instanceId: id(), methods: [{ name: 'm', params: [], schema: [] as unknown as Record<string, unknown> }] }),
      { type: 'announce', instance: null },
      { type: 'announce' },
      { type: 'reboot', instance: announcement('announce', { component: c, instanceId: id() }).instance },
      { type: 'goodbye', instance: { instanceId: 42 } },
      [1, 2, 3],
      'announce',
      null,
      Buffer.from('{"type": "announce", "instance": {'),
    ];
    const before = w.logs.warnings.length;
    // Sent twice: a sender that keeps heartbeating a malformed instance breaks nothing either.
    for (let round = 0; round < 2; round++) for (const body of malformed) await w.forge(body);
    await w.processed();
    const entries = w.registry.list();
    expect(entries.every((entry) => typeof entry.name === 'string' && entry.instances.every((i) => typeof i.instanceId === 'string'))).toBe(true);
    expect(entries.filter((entry) => entry.name === c || entry.name.startsWith(`${c}\u0000`) || entry.name === '' || entry.name.length > 255)).toEqual([]);
    expect(w.registry.get(w.component)?.instances).toHaveLength(1);
    await expect(w.registry.waitFor(w.component, { timeoutMs: 1_000 })).resolves.toMatchObject({ name: w.component });
    const warned = w.logs.warnings.slice(before).filter((line) => /malformed/i.test(line));
    expect(warned.length).toBeGreaterThanOrEqual(1);
    // 58 malformed messages, and not 58 warnings.
    expect(warned.length).toBeLessThanOrEqual(3);
  });
});

describe('component registry: caps (real broker)', () => {
  let w: Awaited<ReturnType<typeof world>>;

  beforeAll(async () => {
    w = await world();
  });

  afterAll(async () => {
    await w?.close();
  });

  it('(d) a flood of 5,000 forged instances stays under the caps; the real instance keeps working', async () => {
    const first = randomUUID();
    await w.forge(announcement('announce', { component: `${w.component}_first`, instanceId: first }));
    for (let i = 0; i < 5_000; i++) {
      // 300 of the real component (its cap is 256), the rest each of a component of its own (total cap 4096).
      const component = i < 300 ? w.component : `${w.component}_f${i}`;
      await w.forge(announcement('announce', { component, instanceId: randomUUID() }));
    }
    // Its own goodbye from the same user: once it is handled, everything before it was.
    await w.forge({ type: 'goodbye', instance: { instanceId: first } });
    const listed = () => w.registry.list().some((entry) => entry.instances.some((i) => i.instanceId === first));
    await waitFor(() => !listed(), 'the flood handled', 20_000);
    const total = w.registry.list().reduce((sum, entry) => sum + entry.instances.length, 0);
    expect(total).toBeLessThanOrEqual(4_096);
    expect(total).toBeGreaterThanOrEqual(4_000);
    expect(w.registry.get(w.component)!.instances).toHaveLength(256);
    expect(w.logs.warnings.filter((line) => /full/i.test(line)).length).toBeGreaterThanOrEqual(1);
    expect(w.logs.warnings.filter((line) => /full/i.test(line)).length).toBeLessThanOrEqual(3);
    // The real instance still answers a roll call: its re-announcement refreshes it.
    const seen = w.real().lastSeen;
    await w.raw.publish(w.exchange, '', JSON.stringify({ type: 'query' }), { contentType: 'application/json' });
    await waitFor(() => w.real().lastSeen > seen, 'the real instance refreshed');
  });
});

describe('component registry: whom it believes (real broker)', () => {
  it('with registry.trust, an instance from a user the hook refuses is not listed', async () => {
    const w = await world({ registry: { trust: (component, userId) => userId === OWN_USER || !component.startsWith('test_Real_') } });
    try {
      await w.forge(announcement('announce', { component: w.component, instanceId: randomUUID() }));
      await w.processed();
      expect(w.registry.get(w.component)!.instances.map((i) => i.userId)).toEqual([OWN_USER]);
      expect(w.logs.warnings.some((line) => line.includes('registry.trust refuses it'))).toBe(true);
    } finally {
      await w.close();
    }
  });

  it('with registry.allowUnverified, unverified instances are listed, yet cannot end or replace a verified one', async () => {
    const w = await world({ registry: { allowUnverified: true } });
    try {
      const real = w.real();
      const unverified = randomUUID();
      await w.forge(announcement('announce', { component: w.component, instanceId: unverified }), {});
      await w.forge(announcement('announce', { component: w.component, instanceId: real.instanceId }), {});
      await w.forge({ type: 'goodbye', instance: { instanceId: real.instanceId } }, {});
      await w.processed();
      const instances = w.registry.get(w.component)!.instances;
      expect(instances.map((i) => [i.instanceId, i.userId])).toEqual([
        [real.instanceId, OWN_USER],
        [unverified, undefined],
      ]);
      expect(instances[0]).toEqual(real);
    } finally {
      await w.close();
    }
  });

  it('a host whose user_id the broker refuses warns once and announces unverified; only a registry allowing that lists it', async () => {
    const strict = await world({}, { userId: 'somebody-else' });
    try {
      await waitFor(() => strict.hostLogs.warnings.some((line) => line.includes("user_id 'somebody-else'")), 'the host warned');
      // The host's answer to the registry's roll call arrives without a user_id, and is dropped.
      await waitFor(() => strict.logs.warnings.some((line) => /announce without a broker-verified user_id/.test(line)), 'the registry dropped it');
      expect(strict.registry.get(strict.component)).toBeUndefined();
    } finally {
      await strict.close();
    }
    const lenient = await world({ registry: { allowUnverified: true } }, { userId: 'somebody-else' });
    try {
      const entry = await lenient.registry.waitFor(lenient.component, { timeoutMs: 10_000 });
      expect(entry.instances.map((i) => i.userId)).toEqual([undefined]);
      expect(lenient.hostLogs.warnings.filter((line) => line.includes("user_id 'somebody-else'"))).toHaveLength(1);
    } finally {
      await lenient.close();
    }
  });

  it('a flood of roll calls gets at most one answer per second, not one each', async () => {
    const w = await world();
    const channel = await w.raw.connection.createChannel();
    try {
      const { queue } = await channel.assertQueue('', { exclusive: true });
      await channel.bindQueue(queue, w.exchange, '');
      const realId = w.real().instanceId;
      let answers = 0;
      let queries = 0;
      await channel.consume(
        queue,
        (message) => {
          const body = message && JSON.parse(message.content.toString());
          if (body?.type === 'announce' && body.instance?.instanceId === realId) answers++;
        },
        { noAck: true },
      );
      // Queries for 2.5 s: answered each, that would be hundreds of announcements.
      for (const end = Date.now() + 2_500; Date.now() < end; queries++) await w.forge({ type: 'query' });
      await waitFor(() => answers >= 2, 'answers to the roll calls', 5_000);
      expect(queries).toBeGreaterThan(100);
      expect(answers).toBeLessThanOrEqual(4);
    } finally {
      await channel.close().catch(() => undefined);
      await w.close();
    }
  });
});
