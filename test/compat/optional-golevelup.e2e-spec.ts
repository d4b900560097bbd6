import { execFile } from 'child_process';
import { existsSync } from 'fs';
import { join } from 'path';
import { promisify } from 'util';
import { BROKER_URL } from '../support/broker';

const run = promisify(execFile);
const ROOT = join(__dirname, '..', '..');

/**
 * A script run by Node on the built package (`npm run build`), as an application would load it.
 * With HIDE_GOLEVELUP set, `@golevelup/nestjs-rabbitmq` cannot be resolved, as in an app that
 * does not install it. Prints one JSON line.
 */
const SCRIPT = `
const Module = require('module');
if (process.env.HIDE_GOLEVELUP) {
  const resolve = Module._resolveFilename;
  Module._resolveFilename = function (request, ...rest) {
    if (request === '@golevelup/nestjs-rabbitmq') throw Object.assign(new Error("Cannot find module '" + request + "'"), { code: 'MODULE_NOT_FOUND' });
    return resolve.call(this, request, ...rest);
  };
}
const loaded = () => Object.keys(require.cache).some((file) => file.includes('@golevelup/nestjs-rabbitmq'));
(async () => {
  const warren = require('nestjs-warren');
  const compat = require('nestjs-warren/golevelup');
  require('nestjs-warren/testing');
  require('nestjs-warren/health');
  const afterImport = loaded();
  const plain = await warren.createWarren({ uri: process.env.BROKER_URL, logger: false });
  await plain.close();
  // golevelup's API, on Warren: a hand-built AmqpConnection publishes.
  const amqp = new compat.AmqpConnection({ uri: process.env.BROKER_URL, logger: { log() {}, warn() {}, error() {}, debug() {}, verbose() {} } });
  await amqp.init();
  await amqp.publish('amq.topic', 'warren.optional-golevelup', { n: 1 }, { mandatory: false });
  await amqp.close();
  const afterDefaultConnect = loaded();
  let viaGolevelup;
  try {
    const other = await warren.createWarren({ uri: process.env.BROKER_URL, logger: false, connector: compat.golevelupConnector });
    await other.close();
    viaGolevelup = 'connected';
  } catch (error) {
    viaGolevelup = error.name + ': ' + error.message;
  }
  console.log(JSON.stringify({ afterImport, afterDefaultConnect, viaGolevelup, afterGolevelupConnector: loaded() }));
})().catch((error) => { console.error(error); process.exit(1); });
`;

async function runScript(env: Record<string, string>): Promise<{ afterImport: boolean; afterDefaultConnect: boolean; viaGolevelup: string; afterGolevelupConnector: boolean }> {
  const { stdout } = await run(process.execPath, ['-e', SCRIPT], { cwd: ROOT, env: { ...process.env, BROKER_URL, ...env }, timeout: 30_000 });
  return JSON.parse(stdout.trim().split('\n').pop()!);
}

/** @golevelup/nestjs-rabbitmq is an optional peer: only golevelupConnector loads it, and only when it connects. */
describe('golevelup is off the runtime path (built package, real broker)', () => {
  beforeAll(() => {
    if (!existsSync(join(ROOT, 'libs', 'warren', 'dist', 'golevelup', 'index.js'))) throw new Error('run `npm run build` first');
  });

  it('importing nestjs-warren and its subpaths and connecting does not load golevelup; golevelupConnector does', async () => {
    expect(await runScript({})).toEqual({ afterImport: false, afterDefaultConnect: false, viaGolevelup: 'connected', afterGolevelupConnector: true });
  });

  it('without golevelup installed, Warren and nestjs-warren/golevelup work; golevelupConnector says what is missing', async () => {
    const result = await runScript({ HIDE_GOLEVELUP: '1' });
    expect(result).toMatchObject({ afterImport: false, afterDefaultConnect: false, afterGolevelupConnector: false });
    expect(result.viaGolevelup).toMatch(/^WarrenConfigurationError: golevelupConnector connects through @golevelup\/nestjs-rabbitmq, which could not be loaded/);
  });
});
