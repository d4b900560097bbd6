import { INestApplication, Injectable } from '@nestjs/common';
import { BrokerConnectionError, RabbitRPC, RpcClient, WarrenModule, WarrenModuleOptions } from 'nestjs-warren';
import { Test } from '@nestjs/testing';
import { closeAll, startApp } from './support/app';
import { RawClient, unique } from './support/broker';
import { configureTlsListener, restoreBroker } from './support/chaos';
import { TARGET } from './support/target';
import { TestPki, makeTestPki } from './support/tls';

/** The TLS listener's port on the target broker (WARREN_TLS_PORT; 5671 beside the default 5672). */
const TLS_PORT = TARGET.tlsPort;

/** amqps:// against the broker's TLS listener, with a CA and client certificate made for the test. */
describe('TLS (real broker)', () => {
  const queue = unique('q.tls');
  let pki: TestPki;

  @Injectable()
  class Echo {
    @RabbitRPC({ queue })
    echo(payload: unknown) {
      return payload;
    }
  }

  beforeAll(async () => {
    pki = makeTestPki();
    await configureTlsListener(TLS_PORT, pki);
  }, 120_000);

  afterAll(async () => {
    try {
      await configureTlsListener(TLS_PORT, undefined);
    } finally {
      await restoreBroker();
    }
    const raw = await RawClient.connect();
    await raw.deleteQueues(queue);
    await raw.close();
  }, 120_000);

  const uri = `amqps://guest:guest@localhost:${TLS_PORT}`;

  /** The connection is made while the module compiles, so that is where a TLS failure surfaces. */
  async function failsToStart(options: WarrenModuleOptions): Promise<Error> {
    try {
      const moduleRef = await Test.createTestingModule({ imports: [WarrenModule.forRoot({ ...options, logger: false })] }).compile();
      await moduleRef.close();
    } catch (error) {
      return error as Error;
    }
    throw new Error('expected start-up to fail');
  }

  it('consumes and answers RPCs over amqps with the CA and a client certificate', async () => {
    let app: INestApplication | undefined;
    try {
      app = await startApp({
        imports: [WarrenModule.forRoot({ uri, connection: { tls: { ca: pki.ca, cert: pki.clientCert, key: pki.clientKey } } })],
        providers: [Echo],
      });
      await expect(app.get(RpcClient).request('', queue, { over: 'tls' })).resolves.toEqual({ over: 'tls' });
    } finally {
      await closeAll(app);
    }
  });

  it('refuses a broker certificate it cannot verify', async () => {
    const error = await failsToStart({ uri, connection: { connectTimeoutMs: 2_000, tls: { cert: pki.clientCert, key: pki.clientKey } } });
    expect(error).toBeInstanceOf(BrokerConnectionError);
    expect(error.message).toMatch(/self[- ]signed certificate/i);
    expect(error.message).not.toContain('guest:guest');
  });

  it('is refused by a broker that requires a client certificate when it has none', async () => {
    const error = await failsToStart({ uri, connection: { connectTimeoutMs: 2_000, tls: { ca: pki.ca } } });
    expect(error).toBeInstanceOf(BrokerConnectionError);
    expect(error.message).toMatch(/certificate required/i);
  });
});
