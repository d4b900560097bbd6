#!/usr/bin/env node
/**
 * Makes sure a RabbitMQ broker answers at RABBITMQ_URL (default amqp://guest:guest@127.0.0.1:5672):
 *   1. reuse a broker that already answers;
 *   2. else, only when the URL names this machine's default broker (local, port 5672, no
 *      RABBITMQ_NODENAME/WARREN_RABBITMQCTL; see scripts/broker-target.js), start an installed
 *      rabbitmq-server (`rabbitmq-server -detached`) and wait for it;
 *   3. else, as root with apt-get, install Debian's rabbitmq-server and start it;
 *   4. else, with a Docker engine, `docker compose up -d rabbitmq`;
 *   5. else stop with a message that says how to get one.
 * A URL naming any other broker (another host or port, e.g. one of scripts/brokers.js) is only waited
 * for (WARREN_BROKER_WAIT_MS, default 30 s) and reported: nothing is started, installed or enabled.
 * Usable from the command line (exit code 0 when a broker answers) and from code: ensureBroker().
 */
const { execSync, spawnSync } = require('child_process');
const net = require('net');
const path = require('path');
const { resolveBrokerTarget } = require('./broker-target');

const log = (message) => process.stderr.write(`[ensure-broker] ${message}\n`);

/**
 * Opens a TCP connection to host:port and settles with what `onConnect` decides (false on error or
 * after `timeoutMs`); the socket is always destroyed.
 */
function probe(host, port, timeoutMs, onConnect) {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    const done = (ok) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('error', () => done(false));
    socket.once('connect', () => onConnect(socket, done));
  });
}

/** True when something accepts TCP connections on host:port. */
const listens = (host, port, timeoutMs = 1000) => probe(host, port, timeoutMs, (_socket, done) => done(true));

/** True when something speaks AMQP on host:port (it answers the protocol header with a Start frame). */
const amqpAnswers = (host, port, timeoutMs = 2000) =>
  probe(host, port, timeoutMs, (socket, done) => {
    // A Connection.Start method frame begins with type 1 on channel 0.
    socket.once('data', (data) => done(data[0] === 1));
    socket.write(Buffer.from('AMQP\x00\x00\x09\x01', 'latin1'));
  });

/** Polls `check` every `intervalMs` until it holds (true) or `timeoutMs` passes (false). */
async function waitUntil(check, timeoutMs, intervalMs) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return true;
    await new Promise((r) => setTimeout(r, intervalMs));
  }
  return false;
}

const waitUntilAnswers = (host, port, timeoutMs) => waitUntil(() => amqpAnswers(host, port), timeoutMs, 1000);

const has = (command) => spawnSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' }).status === 0;
const run = (command) => {
  log(`$ ${command}`);
  execSync(command, { stdio: ['ignore', 'ignore', 'inherit'] });
};

async function startInstalled(host, port) {
  if (!has('rabbitmq-server')) return false;
  log('starting the installed rabbitmq-server');
  try {
    // The management UI (http://127.0.0.1:15672) and HTTP API, which `warren dlq list` uses.
    run('rabbitmq-plugins enable --offline rabbitmq_management');
  } catch (error) {
    log(`enabling the management plugin failed (the UI and 'warren dlq list' will be unavailable): ${error.message}`);
  }
  try {
    run('rabbitmq-server -detached');
  } catch (error) {
    log(`rabbitmq-server -detached failed: ${error.message}`);
  }
  return waitUntilAnswers(host, port, 90_000);
}

async function installWithApt(host, port) {
  if (!has('apt-get') || typeof process.getuid !== 'function' || process.getuid() !== 0) return false;
  log("installing Debian's rabbitmq-server with apt-get");
  try {
    run('apt-get update -qq');
    run('DEBIAN_FRONTEND=noninteractive apt-get install -y -qq rabbitmq-server');
  } catch (error) {
    log(`apt-get install failed: ${error.message}`);
    return false;
  }
  return startInstalled(host, port);
}

async function startWithDocker(host, port) {
  if (!has('docker') || spawnSync('docker', ['info'], { stdio: 'ignore' }).status !== 0) return false;
  log('starting RabbitMQ with docker compose');
  try {
    run(`docker compose -f ${path.join(__dirname, '..', 'docker-compose.yml')} up -d rabbitmq`);
  } catch (error) {
    log(`docker compose failed: ${error.message}`);
    return false;
  }
  return waitUntilAnswers(host, port, 120_000);
}

/**
 * A local broker that runs without the management plugin (a fresh Debian install) gets it enabled online:
 * `warren dlq list` and its test read the management HTTP API. Failure here is reported, not fatal.
 */
async function ensureManagement(host) {
  if (await listens(host, 15672)) return;
  if (!has('rabbitmq-plugins')) return;
  try {
    run('rabbitmq-plugins enable rabbitmq_management');
  } catch (error) {
    log(`enabling the management plugin failed (the UI and 'warren dlq list' will be unavailable): ${error.message}`);
    return;
  }
  await waitUntil(() => listens(host, 15672), 30_000, 500);
}

/** A broker that is not this machine's default one: wait for it, report, never start or change anything. */
async function awaitOther({ host, port, managementUrl }, env) {
  const where = `${host}:${port}`;
  const waitMs = Number(env.WARREN_BROKER_WAIT_MS || 30_000);
  if (!(await amqpAnswers(host, port)) && !(await waitUntilAnswers(host, port, waitMs))) {
    throw new Error(
      `No RabbitMQ answers at ${where} within ${waitMs} ms. RABBITMQ_URL names a broker other than this machine's default one ` +
        '(127.0.0.1:5672), so nothing is started here: start it yourself (for the test matrix: node scripts/brokers.js up 4.3).',
    );
  }
  log(`RabbitMQ answers at ${where}`);
  const management = new URL(managementUrl);
  if (!(await listens(management.hostname, Number(management.port || (management.protocol === 'https:' ? 443 : 80))))) {
    log(`no management API at ${managementUrl} (set WARREN_MANAGEMENT_URL): 'warren dlq list' and the tests that read it will fail`);
  }
}

async function ensureBroker(env = process.env) {
  const target = resolveBrokerTarget({}, env);
  if (!target.isDefault) return awaitOther(target, env);
  const { host, port } = target;
  const where = `${host}:${port}`;
  if (await amqpAnswers(host, port)) {
    log(`RabbitMQ answers at ${where}`);
    await ensureManagement(host);
    return;
  }
  for (const attempt of [startInstalled, installWithApt, startWithDocker]) {
    if (await attempt(host, port)) {
      log(`RabbitMQ answers at ${where}`);
      return;
    }
  }
  throw new Error(
    `No RabbitMQ at ${where} and none could be started. Install one (Debian/Ubuntu: sudo apt-get install rabbitmq-server; ` +
      'macOS: brew install rabbitmq), or run `docker compose up -d rabbitmq` with Docker, or set RABBITMQ_URL to a broker you have.',
  );
}

module.exports = { ensureBroker, amqpAnswers, listens };

if (require.main === module) {
  ensureBroker().catch((error) => {
    log(error.message);
    process.exit(1);
  });
}
