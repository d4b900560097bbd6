#!/usr/bin/env node
/**
 * The broker matrix Warren's suite runs against, beside the system broker (which it never touches):
 *
 *   node scripts/brokers.js up 4.0|4.3|all     provision (cached) and start, wait until they answer
 *   node scripts/brokers.js down [4.0|4.3|all] stop them (the cached chroots stay)
 *   node scripts/brokers.js status             what is provisioned and running
 *   node scripts/brokers.js env 4.3            the environment that points tests at it: eval "$(node scripts/brokers.js env 4.3)"
 *
 * RabbitMQ 4.0 comes from Debian trixie (4.0.5), 4.3 from forky (4.3.6), each in a chroot built with
 * `debootstrap --variant=minbase --include=rabbitmq-server` from this machine's apt mirror and cached
 * under $WARREN_BROKERS_DIR (default /var/cache/warren-brokers). That needs root; without it (or
 * debootstrap) a Docker engine runs `rabbitmq:<version>-management` instead. Ports and node names are
 * in scripts/brokers/matrix.js. Usable from code: require('./brokers').up('4.3') → its environment.
 */
const path = require('path');
const { BROKERS, brokersOf } = require('./brokers/matrix');
const chroot = require('./brokers/chroot');
const docker = require('./brokers/docker');
const { provision, ensureDebootstrap, readMarker } = require('./brokers/provision');
const { rootOf } = require('./brokers/matrix');
const { log, isRoot, seconds } = require('./brokers/system');

/** chroot when provisioned already or buildable here (root + debootstrap), else Docker with an engine, else a clear error. */
function backend(broker) {
  if (isRoot() && (readMarker(rootOf(broker)) || ensureDebootstrap())) return 'chroot';
  if (docker.engineAnswers()) return 'docker';
  throw new Error(
    `Cannot run RabbitMQ ${broker.id} here: the matrix needs root with debootstrap (a Debian chroot) or a Docker engine ` +
      `(${isRoot() ? 'debootstrap is not installed and could not be installed' : 'not root'}; no Docker engine answers ` +
      '`docker info`). Run as root on Debian/Ubuntu (apt-get install debootstrap), start a Docker engine, or point ' +
      'RABBITMQ_URL and the WARREN_* variables at a broker of that version yourself.',
  );
}

/** Starts one broker; resolves with its environment and timings. */
async function upOne(broker) {
  const started = Date.now();
  if (backend(broker) === 'docker') {
    const fresh = await docker.start(broker);
    log(`${broker.id}: ${fresh ? 'started' : 'already running'} (Docker) in ${seconds(Date.now() - started)}`);
    return { id: broker.id, env: docker.envFor(broker), startedNow: fresh, provisionMs: 0, startMs: Date.now() - started };
  }
  const { root, version, builtMs } = provision(broker);
  const startAt = Date.now();
  const fresh = await chroot.start(root, broker);
  const startMs = Date.now() - startAt;
  log(`${broker.id}: RabbitMQ ${version} ${fresh ? `started in ${seconds(startMs)}` : 'already running'} as ${broker.node} on 127.0.0.1:${broker.amqpPort}` + (builtMs ? ` (chroot built in ${seconds(builtMs)})` : ' (cached chroot)'));
  const logFile = path.join(root, 'var/log/rabbitmq', `${broker.node}.log`);
  return { id: broker.id, version, env: chroot.envFor(root, broker), logFile, startedNow: fresh, provisionMs: builtMs, startMs };
}

async function up(id) {
  const results = [];
  for (const broker of brokersOf(id)) results.push(await upOne(broker));
  return results;
}

async function down(id) {
  for (const broker of brokersOf(id)) {
    if (readMarker(rootOf(broker))) await chroot.stop(rootOf(broker), broker);
    else if (docker.containerRunning(broker)) await docker.stop(broker);
  }
}

/** Whether one broker's node runs and takes AMQP connections now. */
async function running(id) {
  const [broker] = brokersOf(id);
  if (readMarker(rootOf(broker))) return chroot.running(rootOf(broker), broker);
  return docker.containerRunning(broker);
}

async function status() {
  const lines = [];
  for (const broker of BROKERS) {
    const marker = readMarker(rootOf(broker));
    const state = marker ? await chroot.describe(rootOf(broker), broker) : docker.engineAnswers() ? await docker.describe(broker) : 'not provisioned';
    lines.push(`${broker.id}  ${broker.node}  ${marker ? `RabbitMQ ${marker.version} in ${rootOf(broker)}` : `(Debian ${broker.suite})`}: ${state}`);
  }
  return lines.join('\n');
}

/** The environment of one broker, whether or not it runs now. */
function envOf(id) {
  if (!id || id === 'all') throw new Error('env needs one broker: 4.0 or 4.3');
  const [broker] = brokersOf(id);
  return readMarker(rootOf(broker)) || backend(broker) === 'chroot' ? chroot.envFor(rootOf(broker), broker) : docker.envFor(broker);
}

const shellQuote = (value) => `'${String(value).replace(/'/g, `'\\''`)}'`;

async function main([command, id]) {
  switch (command) {
    case 'up':
      await up(id);
      return;
    case 'down':
      await down(id);
      return;
    case 'status':
      process.stdout.write(`${await status()}\n`);
      return;
    case 'env':
      for (const [key, value] of Object.entries(envOf(id))) process.stdout.write(`export ${key}=${shellQuote(value)}\n`);
      return;
    default:
      throw new Error('usage: node scripts/brokers.js up|down|status|env [4.0|4.3|all]');
  }
}

module.exports = { up, down, status, running, envOf, BROKERS };

if (require.main === module) {
  main(process.argv.slice(2)).catch((error) => {
    log(error.message);
    process.exit(1);
  });
}
