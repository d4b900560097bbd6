import { spawn } from 'child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { createServer } from 'net';
import { tmpdir } from 'os';
import { delimiter, join } from 'path';

const SCRIPT = join(__dirname, '..', 'scripts', 'ensure-broker.js');
/** Everything ensure-broker.js could use to start or install a broker; here each only records that it was called. */
const STARTERS = ['rabbitmq-server', 'rabbitmq-plugins', 'rabbitmqctl', 'apt-get', 'docker', 'systemctl', 'service'];

/** A local port nothing listens on. */
function closedPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

function run(env: NodeJS.ProcessEnv): Promise<{ code: number | null; err: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [SCRIPT], { env, stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`ensure-broker.js ran over 15 s:\n${err}`));
    }, 15_000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, err });
    });
  });
}

/** scripts/ensure-broker.js (the first step of `npm test`) against a URL that is not the default broker. */
describe('ensure-broker.js with RABBITMQ_URL naming another broker', () => {
  let dir: string;
  let calls: string;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'warren-ensure-'));
    calls = join(dir, 'calls.log');
    writeFileSync(calls, '');
    for (const tool of STARTERS) writeFileSync(join(dir, tool), `#!/bin/sh\necho "${tool} $*" >> '${calls}'\nexit 0\n`, { mode: 0o755 });
  });

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('waits, then fails naming the broker, and never starts, installs or enables anything', async () => {
    const port = await closedPort();
    const started = Date.now();
    const result = await run({ ...process.env, PATH: `${dir}${delimiter}${process.env.PATH}`, RABBITMQ_URL: `amqp://guest:guest@127.0.0.1:${port}`, WARREN_BROKER_WAIT_MS: '1000' });
    expect(result.code).toBe(1);
    expect(result.err).toContain(`No RabbitMQ answers at 127.0.0.1:${port} within 1000 ms`);
    expect(result.err).toContain('nothing is started here');
    expect(readFileSync(calls, 'utf8')).toBe('');
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it('another host on port 5672 is not the default broker either: nothing is started for it', async () => {
    const result = await run({ ...process.env, PATH: `${dir}${delimiter}${process.env.PATH}`, RABBITMQ_URL: 'amqp://guest:guest@192.0.2.1:5672', WARREN_BROKER_WAIT_MS: '500' });
    expect(result.code).toBe(1);
    expect(result.err).toContain('No RabbitMQ answers at 192.0.2.1:5672');
    expect(readFileSync(calls, 'utf8')).toBe('');
  });
});
