import { Injectable, LoggerService } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { BrokerConnectionError, RabbitSubscribe, WarrenConfigurationError, WarrenModule, WarrenModuleOptions } from 'nestjs-warren';
import { safeUri } from '../libs/warren/src/logging/redact';
import { BROKER_URL, RawClient, unique } from './support/broker';

const SECRET = 's3cret-Pa55word';

/** Records every line logged, to prove no password reaches a log. */
class RecordingLogger implements LoggerService {
  readonly lines: string[] = [];
  log(...args: unknown[]) {
    this.lines.push(args.map(String).join(' '));
  }
  error(...args: unknown[]) {
    this.lines.push(args.map(String).join(' '));
  }
  warn(...args: unknown[]) {
    this.lines.push(args.map(String).join(' '));
  }
  debug(...args: unknown[]) {
    this.lines.push(args.map(String).join(' '));
  }
  verbose(...args: unknown[]) {
    this.lines.push(args.map(String).join(' '));
  }
}

async function startWith(options: WarrenModuleOptions, providers: any[] = []) {
  const logger = new RecordingLogger();
  const moduleRef = await Test.createTestingModule({
    imports: [WarrenModule.forRoot({ ...options, logger })],
    providers,
  }).compile();
  const app = moduleRef.createNestApplication({ logger: false });
  try {
    await app.init();
  } finally {
    await app.close().catch(() => undefined);
  }
  return logger.lines;
}

async function failure(options: WarrenModuleOptions, providers: any[] = []): Promise<{ error: Error; logs: string[] }> {
  const logger = new RecordingLogger();
  let error: Error | undefined;
  try {
    const moduleRef = await Test.createTestingModule({ imports: [WarrenModule.forRoot({ ...options, logger })], providers }).compile();
    const app = moduleRef.createNestApplication({ logger: false });
    await app.init();
    await app.close();
  } catch (e) {
    error = e as Error;
  }
  if (!error) throw new Error('start-up was expected to fail');
  return { error, logs: logger.lines };
}

describe('start-up (real broker)', () => {
  it('fails with BrokerConnectionError naming the address, not the password, when nothing listens', async () => {
    const started = Date.now();
    const { error, logs } = await failure({
      uri: `amqp://guest:${SECRET}@127.0.0.1:1`,
      connection: { connectTimeoutMs: 1_000 },
    });
    expect(error).toBeInstanceOf(BrokerConnectionError);
    expect(error.message).toContain('amqp://guest:***@127.0.0.1:1');
    expect(error.message).toContain('ECONNREFUSED');
    expect(error.message).toContain('1000 ms');
    expect(Date.now() - started).toBeLessThan(5_000);
    for (const text of [error.message, error.stack ?? '', ...logs]) expect(text).not.toContain(SECRET);
  });

  it('fails with BrokerConnectionError when the broker refuses the credentials', async () => {
    const wrong = new URL(BROKER_URL);
    wrong.password = SECRET;
    const { error, logs } = await failure({
      uri: wrong.toString(),
      connection: { connectTimeoutMs: 1_500 },
    });
    expect(error).toBeInstanceOf(BrokerConnectionError);
    expect(error.message).toMatch(/ACCESS.REFUSED/);
    for (const text of [error.message, ...logs]) expect(text).not.toContain(SECRET);
  });

  it('rejects a URI that is not AMQP with WarrenConfigurationError', async () => {
    const { error } = await failure({ uri: `http://admin:${SECRET}@127.0.0.1:5672` });
    expect(error).toBeInstanceOf(WarrenConfigurationError);
    expect(error.message).toContain("scheme is 'http'");
    expect(error.message).not.toContain(SECRET);

    const notUrl = await failure({ uri: `guest:${SECRET}@nowhere` });
    expect(notUrl.error).toBeInstanceOf(WarrenConfigurationError);
    expect(notUrl.error.message).not.toContain(SECRET);
  });

  it('rejects invalid numeric options with WarrenConfigurationError', async () => {
    const { error } = await failure({ prefetch: 0 });
    expect(error).toBeInstanceOf(WarrenConfigurationError);
    expect(error.message).toContain('prefetch');
  });

  it('fails app.init() when a handler binds to an exchange that does not exist', async () => {
    const missing = unique('missing-exchange');
    const queue = unique('q.orphan');

    @Injectable()
    class Orphan {
      @RabbitSubscribe({ exchange: missing, routingKey: 'x', queue })
      handle() {}
    }

    const { error } = await failure({ connection: { connectTimeoutMs: 3_000 } }, [Orphan]);
    expect(error).toBeInstanceOf(WarrenConfigurationError);
    expect(error.message).toContain('Orphan.handle');
    expect(error.message).toContain(`no exchange '${missing}'`);
    const raw = await RawClient.connect();
    await raw.deleteQueues(queue);
    await raw.close();
  });

  it('fails when a handler names neither exchange nor queue', async () => {
    @Injectable()
    class Aimless {
      @RabbitSubscribe({ routingKey: 'x' })
      handle() {}
    }
    const { error } = await failure({}, [Aimless]);
    expect(error).toBeInstanceOf(WarrenConfigurationError);
    expect(error.message).toContain('Aimless.handle');
  });

  it('logs the connection target without the password on a good start', async () => {
    const logs = await startWith({ uri: BROKER_URL });
    const { username, password } = new URL(BROKER_URL);
    expect(safeUri(BROKER_URL)).toContain(`${username}:***@`);
    expect(logs.some((line) => line.includes(`Connected to RabbitMQ at ${safeUri(BROKER_URL)}`))).toBe(true);
    expect(logs.join('\n')).not.toContain(`${username}:${password}@`);
  });
});
