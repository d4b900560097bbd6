import { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { RemoteError, RpcClient } from 'nestjs-warren';
import { WarrenTestingModule } from 'nestjs-warren/testing';
import { mathSum, reportsGenerate } from '../../shared/contracts';
import { RpcServerModule } from '../src/rpc-server.module';

/** The RPC server's handlers called through the typed contracts, on the in-memory broker. */
describe('rpc-server (in memory)', () => {
  let app: INestApplication;

  beforeAll(async () => {
    const moduleRef = await Test.createTestingModule({ imports: [RpcServerModule, WarrenTestingModule.inMemory()] }).compile();
    app = moduleRef.createNestApplication({ logger: false });
    await app.init();
  });

  afterAll(() => app.close());

  it('answers math.sum', async () => {
    await expect(app.get(RpcClient).call(mathSum, { a: 2, b: 40 })).resolves.toEqual({ sum: 42 });
  });

  it('refuses a request that breaks the contract with VALIDATION_FAILED', async () => {
    const refused = app.get(RpcClient).call(mathSum, { a: 1.5, b: 1 });
    await expect(refused).rejects.toBeInstanceOf(RemoteError);
    await expect(refused).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
  });

  it('hands reports to the workers and returns the result', async () => {
    const result = await app.get(RpcClient).call(reportsGenerate, { size: 3 }, { timeoutMs: 5_000 });
    expect(result.lines).toBe(3);
  });
});
