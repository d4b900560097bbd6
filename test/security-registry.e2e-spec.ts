import * as amqplib from 'amqplib';
import { randomUUID } from 'crypto';
import { ComponentsModule, WarrenModule, componentQueue } from 'nestjs-warren';
import { startApp } from './support/app';
import { waitFor } from './support/broker';
import { createLimitedUser } from './support/limited-user';
import { OWN_USER, RegistryWorld, announcement, realComponent, world } from './support/registry-attack';

describe('component registry: identity and validation (real broker)', () => {
  let w: RegistryWorld;

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

  it('the limit: a goodbye from the same broker user is believed (separate users per service are what protect an instance)', async () => {
    const real = w.real();
    await w.raw.publish(w.exchange, '', JSON.stringify({ type: 'goodbye', instance: { instanceId: real.instanceId } }), { contentType: 'application/json', userId: OWN_USER });
    await waitFor(() => w.registry.get(w.component) === undefined, 'the same-user goodbye');
  });
});

describe('component registry: caps (real broker)', () => {
  let w: RegistryWorld;

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
  it('a host with a broker user of its own is listed with that user, and its own goodbye ends it', async () => {
    const w = await world();
    const service = await createLimitedUser({ configure: '.*', write: '.*', read: '.*' });
    const component = `${w.component}_svc`;
    let app: Awaited<ReturnType<typeof startApp>> | undefined;
    try {
      app = await startApp({
        imports: [WarrenModule.forRoot({ uri: service.url, logger: false }), ComponentsModule.forRoot({ heartbeatMs: 60_000, registryExchange: w.exchange })],
        providers: [realComponent(component)],
      });
      const entry = await w.registry.waitFor(component, { timeoutMs: 10_000 });
      expect(entry.instances.map((i) => i.userId)).toEqual([service.user]);
      await app.close();
      app = undefined;
      await waitFor(() => w.registry.get(component) === undefined, 'the goodbye');
    } finally {
      await app?.close();
      await w.raw.deleteQueues(componentQueue(component));
      await service.remove();
      await w.close();
    }
  });

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
