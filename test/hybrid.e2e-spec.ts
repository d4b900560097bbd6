import { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ClientProxy, ClientsModule } from '@nestjs/microservices';
import { Test } from '@nestjs/testing';
import { lastValueFrom } from 'rxjs';
import { MathHybridModule } from '../apps/transport-switch/src/math-service.module';
import { clientOptions, serverOptions } from '../apps/transport-switch/src/transport';
import { BROKER_URL, RawClient } from './support/broker';

/** HTTP beside AMQP: one service method, one DTO, reachable over both, validated the same way. */
describe('hybrid app: the same method over HTTP and over Warren (real broker)', () => {
  const env = { RABBITMQ_URL: BROKER_URL };
  let app: INestApplication;
  let caller: INestApplication;
  let client: ClientProxy;
  let base: string;

  beforeAll(async () => {
    app = await NestFactory.create(MathHybridModule, { logger: false });
    app.connectMicroservice(serverOptions('warren', env), { inheritAppConfig: true });
    await app.startAllMicroservices();
    await app.listen(0, '127.0.0.1');
    base = await app.getUrl();
    const moduleRef = await Test.createTestingModule({ imports: [ClientsModule.register([{ name: 'MATH', ...clientOptions('warren', env) }])] }).compile();
    caller = moduleRef.createNestApplication({ logger: false });
    await caller.init();
    client = caller.get<ClientProxy>('MATH');
  });

  afterAll(async () => {
    await client?.close();
    await caller?.close();
    await app?.close();
    const raw = await RawClient.connect();
    await raw.deleteQueues('warren.demo.math-service');
    await raw.close();
  });

  const post = async (body: unknown) => {
    const response = await fetch(`${base}/math/multiply`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(5_000),
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };

  it('answers the same over HTTP and over messages', async () => {
    expect(await post({ a: 6, b: 7 })).toEqual({ status: 200, body: { product: 42 } });
    await expect(lastValueFrom(client.send('math.multiply', { a: 6, b: 7 }))).resolves.toEqual({ product: 42 });
  });

  it('refuses the same bad input on both paths with the same constraint', async () => {
    const http = await post({ a: 'six', b: 7 });
    expect(http.status).toBe(400);
    expect(String(http.body.message)).toMatch(/a must be an integer number/);
    await expect(lastValueFrom(client.send('math.multiply', { a: 'six', b: 7 }))).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
      message: expect.stringMatching(/a must be an integer number/),
    });
  });
});
