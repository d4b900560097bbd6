import { INestApplication, INestMicroservice } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ClientProxy, ClientsModule, MicroserviceOptions } from '@nestjs/microservices';
import { Test } from '@nestjs/testing';
import { createServer } from 'net';
import { lastValueFrom } from 'rxjs';
import { MathController } from '../apps/transport-switch/src/math.controller';
import { MathServiceModule } from '../apps/transport-switch/src/math-service.module';
import { TransportName, clientOptions, serverOptions } from '../apps/transport-switch/src/transport';
import { BROKER_URL, RawClient, waitFor } from './support/broker';

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

async function failure(promise: Promise<unknown>): Promise<{ code?: string; message?: string }> {
  return promise.then(
    () => {
      throw new Error('expected an error');
    },
    (error: { code?: string; message?: string }) => error,
  );
}

/**
 * One service written only against @nestjs/microservices, and one caller using only ClientProxy,
 * run over each transport by configuration alone. The same assertions hold on both, except where
 * a row of the side-by-side table in docs/microservices.md says the transports differ.
 */
describe.each<TransportName>(['warren', 'tcp'])('the same microservice over %s', (transport) => {
  let service: INestMicroservice;
  let caller: INestApplication;
  let client: ClientProxy;
  const env: NodeJS.ProcessEnv = { RABBITMQ_URL: BROKER_URL };

  beforeAll(async () => {
    env.MATH_TCP_PORT = String(await freePort());
    service = await NestFactory.createMicroservice<MicroserviceOptions>(MathServiceModule, { ...serverOptions(transport, env), logger: false });
    await service.listen();
    const moduleRef = await Test.createTestingModule({ imports: [ClientsModule.register([{ name: 'MATH', ...clientOptions(transport, env) }])] }).compile();
    caller = moduleRef.createNestApplication({ logger: false });
    await caller.init();
    client = caller.get<ClientProxy>('MATH');
    await client.connect();
  });

  afterAll(async () => {
    await client?.close();
    await caller?.close();
    await service?.close();
    if (transport === 'warren') {
      const raw = await RawClient.connect();
      await raw.deleteQueues('warren.demo.math-service');
      await raw.close();
    }
  });

  it('send: a string pattern answers with the result', async () => {
    await expect(lastValueFrom(client.send('math.multiply', { a: 6, b: 7 }))).resolves.toEqual({ product: 42 });
  });

  it('send: an object pattern answers too', async () => {
    await expect(lastValueFrom(client.send({ cmd: 'math.divide' }, { a: 9, b: 3 }))).resolves.toEqual({ quotient: 3 });
  });

  it("send: an RpcException reaches the caller with the service's code and message", async () => {
    const error = await failure(lastValueFrom(client.send({ cmd: 'math.divide' }, { a: 1, b: 0 })));
    expect(error.code).toBe('DIVISION_BY_ZERO');
    expect(error.message).toBe('cannot divide by zero');
  });

  it("send: Nest's ValidationPipe refuses bad input; the caller gets the constraint messages", async () => {
    const error = await failure(lastValueFrom(client.send('math.multiply', { a: 'six', b: 7 })));
    expect(error.code).toBe('VALIDATION_FAILED');
    expect(error.message).toMatch(/a must be an integer number/);
  });

  it('emit: the event handler receives the event', async () => {
    const id = `${transport}-${Date.now()}`;
    await lastValueFrom(client.emit('math.audited', { id }), { defaultValue: undefined });
    await waitFor(() => service.get(MathController).audited.includes(id), `the event ${id}`);
  });

  it('send to a pattern nobody serves fails (Warren: at once, unroutable; TCP: "no matching message handler")', async () => {
    const error = await failure(lastValueFrom(client.send('math.unknown', {})));
    if (transport === 'warren') expect(error.code).toBe('NO_ROUTE');
    // Nest's TCP transport errors with a bare string here.
    else expect(String(error.message ?? error)).toMatch(/no matching message handler/i);
  });
});
