import { INestApplication, Injectable } from '@nestjs/common';
import { ChildProcess, spawn } from 'child_process';
import { IsArray, IsInt } from 'class-validator';
import { join } from 'path';
import {
  Component,
  ComponentClient,
  ComponentInstance,
  ComponentMethod,
  ComponentRegistry,
  ComponentsModule,
  RemoteError,
  WarrenModule,
  componentQueue,
} from 'nestjs-warren';
import { closeAll, startApp } from './support/app';
import { RawClient, unique, waitFor } from './support/broker';

const FIXTURE = join(__dirname, '..', 'dist', 'test', 'fixtures', 'component-app.js');

class SumAllDto {
  @IsArray()
  @IsInt({ each: true })
  values!: number[];
}

interface IntSummatorApi {
  int_sum(args: { a: number; b: number }): { sum: number; served: string };
  sum_all(args: { values: number[] }): number;
}

async function rejection(promise: Promise<unknown>): Promise<RemoteError> {
  return promise.then(
    () => {
      throw new Error('expected a RemoteError');
    },
    (error: RemoteError) => error,
  );
}

/** Components calling each other by name across app instances, with a live registry. */
describe('components (real broker)', () => {
  const name = unique('IntSummator').replace(/\./g, '_');
  const served: Record<string, number> = {};
  let replicas: INestApplication[] = [];
  let caller: INestApplication;

  function summatorApp(replica: string) {
    @Injectable()
    @Component(name, { version: '1.2.0' })
    class IntSummator {
      @ComponentMethod()
      int_sum(a: number, b: number) {
        served[replica] = (served[replica] ?? 0) + 1;
        return { sum: a + b, served: replica };
      }

      @ComponentMethod('sum_all')
      sumAll(dto: SumAllDto) {
        return dto.values.reduce((x, y) => x + y, 0);
      }

      @ComponentMethod()
      fail() {
        throw Object.assign(new Error('summator is tired'), { code: 'TIRED' });
      }
    }
    // A long heartbeat: only a goodbye can explain an instance going down quickly.
    return startApp({ imports: [WarrenModule.forRoot({ logger: false }), ComponentsModule.forRoot({ heartbeatMs: 60_000 })], providers: [IntSummator] });
  }

  beforeAll(async () => {
    replicas = [await summatorApp('r1'), await summatorApp('r2')];
    caller = await startApp({ imports: [WarrenModule.forRoot({ logger: false }), ComponentsModule.forRoot({ heartbeatMs: 60_000 })] });
  });

  afterAll(async () => {
    await closeAll(caller, ...replicas);
    const raw = await RawClient.connect();
    await raw.deleteQueues(componentQueue(name));
    await raw.close();
  });

  it('calls a method by name, and through a typed proxy', async () => {
    const client = caller.get(ComponentClient);
    await expect(client.call(name, 'int_sum', { a: 1, b: 2 })).resolves.toMatchObject({ sum: 3 });
    const summator = client.get<IntSummatorApi>(name);
    await expect(summator.int_sum({ a: 20, b: 22 })).resolves.toMatchObject({ sum: 42 });
    await expect(summator.sum_all({ values: [1, 2, 3] })).resolves.toBe(6);
  });

  it('refuses bad arguments with a message per argument (primitive parameters and a DTO)', async () => {
    const client = caller.get(ComponentClient);
    const primitive = await rejection(client.call(name, 'int_sum', { a: '1', c: 3 }));
    expect(primitive.code).toBe('VALIDATION_FAILED');
    expect(primitive.details).toEqual({ a: ['a must be a number'], b: ['b is required'], c: ['c is not an argument of this method'] });
    const dto = await rejection(client.call(name, 'sum_all', { values: [1, 'x'] }));
    expect(dto.code).toBe('VALIDATION_FAILED');
    expect(JSON.stringify(dto.details)).toMatch(/each value in values must be an integer number/);
  });

  it("an unknown component fails at once; an unknown method lists the component's methods; a method's own error arrives", async () => {
    const client = caller.get(ComponentClient);
    const unknown = await rejection(client.call(`${name}_missing`, 'int_sum', {}, { timeoutMs: 10_000 }));
    expect(unknown.code).toBe('UNKNOWN_COMPONENT');
    const method = await rejection(client.call(name, 'int_product', {}));
    expect(method.code).toBe('UNKNOWN_METHOD');
    expect(method.details).toEqual({ methods: ['int_sum', 'sum_all', 'fail'] });
    const own = await rejection(client.call(name, 'fail', {}));
    expect([own.code, own.message]).toEqual(['TIRED', 'summator is tired']);
  });

  it('two replicas share the calls', async () => {
    const client = caller.get(ComponentClient);
    for (const key of Object.keys(served)) delete served[key];
    await Promise.all(Array.from({ length: 40 }, (_, i) => client.call(name, 'int_sum', { a: i, b: 1 })));
    expect((served.r1 ?? 0) + (served.r2 ?? 0)).toBe(40);
    expect(served.r1).toBeGreaterThan(0);
    expect(served.r2).toBeGreaterThan(0);
  });

  it('the registry lists live instances with their methods; a graceful shutdown says goodbye at once', async () => {
    const registry = caller.get(ComponentRegistry);
    await waitFor(() => registry.get(name)?.instances.length === 2, 'both replicas announced');
    const entry = registry.get(name)!;
    expect(entry.methods.map((m) => m.name)).toEqual(['int_sum', 'sum_all', 'fail']);
    expect(entry.methods[0].params).toEqual([
      { name: 'a', type: 'number' },
      { name: 'b', type: 'number' },
    ]);
    expect(entry.instances.every((i) => i.version === '1.2.0' && i.pid === process.pid)).toBe(true);
    expect(entry.methods[0].schema).toEqual({
      type: 'object',
      properties: { a: { type: 'number' }, b: { type: 'number' } },
      required: ['a', 'b'],
      additionalProperties: false,
    });
    // A DTO's schema comes from its class-validator constraints.
    expect(entry.methods[1].schema).toMatchObject({ properties: { values: { type: 'array', items: { type: 'integer' } } }, required: ['values'] });
    const down: ComponentInstance[] = [];
    const off = registry.on('down', (instance) => down.push(instance));
    await replicas.pop()!.close();
    // The heartbeat is 60 s: only the goodbye explains this.
    await waitFor(() => registry.get(name)?.instances.length === 1, 'the goodbye', 5_000);
    off();
    expect(down.map((i) => i.component)).toEqual([name]);
  });

  it('an instance killed with SIGKILL (no goodbye) is marked down after its missed heartbeats', async () => {
    const killed = `${name}_killed`;
    let child: ChildProcess | undefined;
    // A registry judging by the child's own rhythm: 200 ms heartbeats, down after 3 missed.
    const judge = await startApp({ imports: [WarrenModule.forRoot({ logger: false }), ComponentsModule.forRoot({ heartbeatMs: 200, missedHeartbeats: 3 })] });
    try {
      const registry = judge.get(ComponentRegistry);
      child = spawn(process.execPath, [FIXTURE], { env: { ...process.env, COMPONENT: killed, HEARTBEAT_MS: '200' }, stdio: ['ignore', 'pipe', 'pipe'] });
      await registry.waitFor(killed, { timeoutMs: 15_000 });
      await expect(caller.get(ComponentClient).call(killed, 'ping', {})).resolves.toEqual({ pid: child.pid });
      // Heartbeats keep it alive past the 600 ms window.
      const firstSeen = registry.get(killed)!.instances[0].lastSeen;
      await waitFor(() => (registry.get(killed)?.instances[0].lastSeen ?? 0) > firstSeen + 800, 'heartbeats beyond the down window', 5_000);
      const down: string[] = [];
      const off = registry.on('down', (instance) => down.push(instance.component));
      child.kill('SIGKILL');
      await waitFor(() => down.includes(killed), 'the killed instance marked down', 10_000);
      off();
      expect(registry.get(killed)).toBeUndefined();
    } finally {
      await closeAll(judge);
      if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      const raw = await RawClient.connect();
      await raw.deleteQueues(componentQueue(killed));
      await raw.close();
    }
  });
});
