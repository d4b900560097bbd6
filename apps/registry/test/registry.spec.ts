import { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { ComponentRegistry } from 'nestjs-warren';
import { MemoryBroker, WarrenTestingModule } from 'nestjs-warren/testing';
import { IntSummatorModule } from '../../components/src/int-summator.component';
import { RegistryModule } from '../src/registry.module';

/** The registry's HTTP catalogue, fed by a live component, both on one in-memory broker. */
describe('registry (HTTP, in memory)', () => {
  const broker = new MemoryBroker();
  let registry: INestApplication;
  let summator: INestApplication;
  let base: string;

  beforeAll(async () => {
    const catalogue = await Test.createTestingModule({ imports: [RegistryModule, WarrenTestingModule.inMemory({ broker })] }).compile();
    registry = catalogue.createNestApplication({ logger: false });
    await registry.listen(0, '127.0.0.1');
    base = await registry.getUrl();
    const host = await Test.createTestingModule({ imports: [IntSummatorModule, WarrenTestingModule.inMemory({ broker })] }).compile();
    summator = host.createNestApplication({ logger: false });
    await summator.init();
    await registry.get(ComponentRegistry).waitFor('IntSummator', { timeoutMs: 5_000 });
  });

  afterAll(async () => {
    await summator.close();
    await registry.close();
  });

  it('lists the live component with its methods, and 404s an unknown one', async () => {
    const one = await fetch(`${base}/components/IntSummator`);
    expect(one.status).toBe(200);
    expect(JSON.stringify(await one.json())).toContain('int_sum');
    expect((await fetch(`${base}/components/IntMultiplier`)).status).toBe(404);
  });
});
