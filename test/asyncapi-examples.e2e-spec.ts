import { INestApplication, INestMicroservice, Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Test } from '@nestjs/testing';
import { Parser } from '@asyncapi/parser';
import { existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'fs';
import { join } from 'path';
import type { Warren, WarrenModuleOptions } from 'nestjs-warren';
import { AsyncApiDocument, WarrenAsyncApi } from 'nestjs-warren/asyncapi';
import { WarrenServer } from 'nestjs-warren/microservices';
import { MemoryBroker, WarrenTestingModule } from 'nestjs-warren/testing';
import { createWarren } from '../libs/warren/src/warren.standalone';
import { memoryConnector } from '../libs/warren/src/testing/memory/memory-connection';
import { IntSummatorModule } from '../apps/components/src/int-summator.component';
import { GatewayModule } from '../apps/gateway/src/gateway.module';
import { GolevelupAppModule } from '../apps/golevelup-app/src/golevelup-app.module';
import { LogConsumerModule } from '../apps/log-consumer/src/log-reader';
import { RegistryModule } from '../apps/registry/src/registry.module';
import { RpcServerModule } from '../apps/rpc-server/src/rpc-server.module';
import { TopicConsumerModule } from '../apps/topic-consumer/src/topic-consumer.module';
import { MathServiceModule } from '../apps/transport-switch/src/math-service.module';
import { warrenServerOptions } from '../apps/transport-switch/src/transport';

/**
 * The AsyncAPI document of every sample app, committed in docs/asyncapi/<app>.json. Each app runs
 * on the in-memory broker (its own modules, unchanged); the test fails when a committed example is
 * out of date or does not validate. `node scripts/asyncapi-examples.js` rewrites them.
 */
const DOCS = join(__dirname, '..', 'docs', 'asyncapi');
const UPDATE = process.env.UPDATE_ASYNCAPI_EXAMPLES === '1';

/** The math service as Nest runs it, on the in-memory broker instead of RabbitMQ. */
class MemoryWarrenServer extends WarrenServer {
  readonly broker = new MemoryBroker();

  protected override connect(options: WarrenModuleOptions): Promise<Warren> {
    return createWarren(options, memoryConnector(this.broker));
  }
}

async function moduleDocument(module: Type<unknown>, title: string): Promise<AsyncApiDocument> {
  const moduleRef = await Test.createTestingModule({ imports: [module, WarrenTestingModule.inMemory()] }).compile();
  const app: INestApplication = moduleRef.createNestApplication({ logger: false });
  await app.init();
  try {
    return app.get(WarrenAsyncApi, { strict: false }).document({ title, version: '1.0.0' });
  } finally {
    await app.close();
  }
}

async function microserviceDocument(title: string): Promise<AsyncApiDocument> {
  const server = new MemoryWarrenServer({ ...warrenServerOptions({}), logger: false });
  const app: INestMicroservice = await NestFactory.createMicroservice(MathServiceModule, { strategy: server, logger: false });
  await app.listen();
  try {
    return server.unwrap<Warren>().asyncapi.document({ title, version: '1.0.0' });
  } finally {
    await app.close();
  }
}

const APPS: Array<[string, () => Promise<AsyncApiDocument>]> = [
  ['components', () => moduleDocument(IntSummatorModule, 'components (IntSummator)')],
  ['gateway', () => moduleDocument(GatewayModule, 'gateway')],
  ['golevelup-app', () => moduleDocument(GolevelupAppModule, 'golevelup-app')],
  ['log-consumer', () => moduleDocument(LogConsumerModule, 'log-consumer')],
  ['registry', () => moduleDocument(RegistryModule, 'registry')],
  ['rpc-server', () => moduleDocument(RpcServerModule, 'rpc-server')],
  ['topic-consumer', () => moduleDocument(TopicConsumerModule, 'topic-consumer')],
  ['transport-switch', () => microserviceDocument('transport-switch (math service)')],
];

describe('AsyncAPI examples of the sample apps (docs/asyncapi)', () => {
  const saved: Record<string, string | undefined> = {};

  beforeAll(() => {
    // The examples name the default broker, whatever this machine's environment says.
    for (const name of ['RABBITMQ_URL', 'WARREN_TOPOLOGY_FILE']) {
      saved[name] = process.env[name];
      delete process.env[name];
    }
    if (UPDATE) mkdirSync(DOCS, { recursive: true });
  });

  afterAll(() => {
    for (const [name, value] of Object.entries(saved)) if (value !== undefined) process.env[name] = value;
  });

  it('covers every app in apps/', () => {
    const apps = readdirApps();
    expect(APPS.map(([name]) => name).sort()).toEqual(apps);
  });

  it.each(APPS)('%s: validates, names no credentials, and matches its docs/asyncapi example', async (name, build) => {
    const document = await build();
    const diagnostics = await new Parser().validate(document as never);
    expect(diagnostics.filter((d) => d.severity === 0).map((d) => `${d.message} at ${d.path.join('/')}`)).toEqual([]);
    const text = `${JSON.stringify(document, null, 2)}\n`;
    expect(text).not.toMatch(/guest/);
    const file = join(DOCS, `${name}.json`);
    if (UPDATE) writeFileSync(file, text);
    expect(existsSync(file) ? readFileSync(file, 'utf8') : '(missing: run node scripts/asyncapi-examples.js)').toBe(text);
  });
});

function readdirApps(): string[] {
  const root = join(__dirname, '..', 'apps');
  return readdirSync(root)
    .filter((entry) => entry !== 'shared' && statSync(join(root, entry)).isDirectory())
    .sort();
}
