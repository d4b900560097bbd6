import { INestApplication, Module } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { ComponentClient, ComponentRegistry, ComponentsModule, RemoteError, WarrenModule } from 'nestjs-warren';
import { MemoryBroker, WarrenTestingModule } from 'nestjs-warren/testing';
import { IntSummatorModule } from '../src/int-summator.component';

interface IntSummatorApi {
  int_sum(args: { a: number; b: number }): number;
}

@Module({ imports: [WarrenModule.forRoot({ connection: { name: 'requester' } }), ComponentsModule.forRoot()] })
class CallerModule {}

/** The IntSummator component called by name from another app, both on one in-memory broker. */
describe('components (in memory)', () => {
  const broker = new MemoryBroker();
  let summator: INestApplication;
  let caller: INestApplication;

  beforeAll(async () => {
    const host = await Test.createTestingModule({ imports: [IntSummatorModule, WarrenTestingModule.inMemory({ broker })] }).compile();
    summator = host.createNestApplication({ logger: false });
    await summator.init();
    const client = await Test.createTestingModule({ imports: [CallerModule, WarrenTestingModule.inMemory({ broker })] }).compile();
    caller = client.createNestApplication({ logger: false });
    await caller.init();
    await caller.get(ComponentRegistry).waitFor('IntSummator', { timeoutMs: 5_000 });
  });

  afterAll(async () => {
    await caller.close();
    await summator.close();
  });

  it('adds through the typed proxy', async () => {
    const proxy = caller.get(ComponentClient).get<IntSummatorApi>('IntSummator');
    await expect(proxy.int_sum({ a: 1, b: 2 })).resolves.toBe(3);
  });

  it("returns the method's own error, and refuses arguments of the wrong type before it runs", async () => {
    const proxy = caller.get(ComponentClient).get<IntSummatorApi>('IntSummator');
    await expect(proxy.int_sum({ a: 1.5, b: 2 })).rejects.toMatchObject({ code: 'NOT_INTEGER' });
    const wrongType = proxy.int_sum({ a: 'one' as unknown as number, b: 2 });
    await expect(wrongType).rejects.toBeInstanceOf(RemoteError);
    await expect(wrongType).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
  });
});
