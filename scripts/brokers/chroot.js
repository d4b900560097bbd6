/**
 * One matrix broker in its Debian chroot: configured for its own node name and ports, started with
 * `chroot DIR rabbitmq-server -detached`, awaited with `chroot DIR rabbitmqctl -n NODE await_startup`,
 * stopped cleanly (killed by its own pid only if that fails). The host's epmd serves the chroot node; the
 * node and the chroot's rabbitmqctl share the chroot's Erlang cookie (/var/lib/rabbitmq/.erlang.cookie there).
 */
const crypto = require('crypto');
const fs = require('fs');
const path = require('path');
const { TLS_DIR_IN_BROKER, envOf } = require('./matrix');
const { amqpAnswers, listens } = require('../ensure-broker');
const { log, sh, alive, runsIn, mountsUnder, unmountAll, waitUntil, sleep } = require('./system');

const START_TIMEOUT_MS = 120_000;
const STOP_TIMEOUT_MS = 30_000;
const PID_FILE = '/var/lib/rabbitmq/warren.pid';
const CHROOT = '/usr/sbin/chroot';

const inRoot = (root, file) => path.join(root, file.replace(/^\//, ''));
/** The command that drives this broker's node from the host (what WARREN_RABBITMQCTL holds). */
const ctlCommand = (root) => [CHROOT, root, 'rabbitmqctl'];
const ctl = (root, broker, args, options = {}) => sh(CHROOT, [root, 'rabbitmqctl', '-n', broker.node, ...args], { check: false, ...options });

function readPid(root) {
  try {
    const pid = Number(fs.readFileSync(inRoot(root, PID_FILE), 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 && runsIn(pid, root) ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** The hard limit on open files here, capped at RabbitMQ's recommended 65536. */
function fileLimit() {
  const hard = sh('sh', ['-c', 'ulimit -Hn'], { quiet: true }).output.trim();
  return hard === 'unlimited' ? 65536 : Math.min(Number(hard) || 1024, 65536);
}

function writeConfig(root, broker) {
  const files = {
    '/etc/hosts': fs.readFileSync('/etc/hosts', 'utf8'), // without it: "epmd error for host localhost: nxdomain"
    '/etc/rabbitmq/rabbitmq-env.conf': [
      '# Written by scripts/brokers.js: this node keeps clear of the system broker (5672, rabbit@localhost).',
      `NODENAME=${broker.node}`,
      'NODE_IP_ADDRESS=127.0.0.1',
      `NODE_PORT=${broker.amqpPort}`,
      `DIST_PORT=${broker.distPort}`,
      `PID_FILE=${PID_FILE}`,
      'ERL_EPMD_ADDRESS=127.0.0.1',
      'SERVER_ADDITIONAL_ERL_ARGS="-kernel inet_dist_use_interface {127,0,0,1}"',
      '',
    ].join('\n'),
    '/etc/rabbitmq/rabbitmq.conf': [
      `listeners.tcp.local = 127.0.0.1:${broker.amqpPort}`,
      `management.tcp.port = ${broker.managementPort}`,
      'management.tcp.ip = 127.0.0.1',
      // guest may only connect from loopback, which is where the tests connect from.
      'log.file.level = info',
      '',
    ].join('\n'),
    '/etc/rabbitmq/enabled_plugins': '[rabbitmq_management].\n',
    // su (pam_limits) would set the node's soft limit back to 1024 file descriptors, at which 4.x runs out
    // (emfile) with the suite's 5,000 queues and stops: give it this machine's hard limit, at most 65536.
    '/etc/security/limits.d/warren-rabbitmq.conf': `rabbitmq soft nofile ${fileLimit()}\nrabbitmq hard nofile ${fileLimit()}\n`,
  };
  for (const [file, text] of Object.entries(files)) fs.writeFileSync(inRoot(root, file), text);
}

/** The chroot's own cookie, never the host's: rabbitmqctl inside runs as the chroot's rabbitmq user with its HOME. */
function ensureCookie(root) {
  const cookie = inRoot(root, '/var/lib/rabbitmq/.erlang.cookie');
  const hostCookie = '/var/lib/rabbitmq/.erlang.cookie';
  const same = fs.existsSync(cookie) && fs.existsSync(hostCookie) && fs.readFileSync(cookie, 'utf8') === fs.readFileSync(hostCookie, 'utf8');
  if (!fs.existsSync(cookie) || same) {
    fs.rmSync(cookie, { force: true });
    fs.writeFileSync(cookie, crypto.randomBytes(20).toString('hex').toUpperCase(), { mode: 0o400 });
  }
}

/** Fresh data for every start: queues and users of an earlier run do not carry over. */
function prepare(root, broker) {
  writeConfig(root, broker);
  ensureCookie(root);
  for (const dir of ['/var/lib/rabbitmq/mnesia', '/var/log/rabbitmq']) {
    fs.rmSync(inRoot(root, dir), { recursive: true, force: true });
    fs.mkdirSync(inRoot(root, dir), { recursive: true });
  }
  fs.rmSync(inRoot(root, PID_FILE), { force: true });
  fs.mkdirSync(inRoot(root, TLS_DIR_IN_BROKER), { recursive: true, mode: 0o755 });
  if (!mountsUnder(inRoot(root, '/proc')).length) sh('mount', ['-t', 'proc', 'proc', inRoot(root, '/proc')], { timeoutMs: 30_000 });
  sh(CHROOT, [root, 'chown', '-R', 'rabbitmq:rabbitmq', '/etc/rabbitmq', '/var/lib/rabbitmq', '/var/log/rabbitmq'], { timeoutMs: 60_000 });
}

/** Whether this broker's node runs (its pid, inside its chroot) and takes AMQP connections. */
async function running(root, broker) {
  return alive(readPid(root)) && (await amqpAnswers('127.0.0.1', broker.amqpPort));
}

function logTail(root, broker) {
  for (const file of [`/var/log/rabbitmq/${broker.node}.log`, '/var/log/rabbitmq/startup_err', '/var/log/rabbitmq/startup_log']) {
    try {
      const text = fs.readFileSync(inRoot(root, file), 'utf8').trim();
      if (text) return `${file}:\n${text.split('\n').slice(-20).join('\n')}`;
    } catch {
      // not written
    }
  }
  return '(no broker log written)';
}

/** Starts the broker (fresh data) and waits until its node, AMQP and management API answer; stops it again on failure. */
async function start(root, broker) {
  if (await running(root, broker)) return false;
  for (const port of [broker.amqpPort, broker.managementPort, broker.distPort]) {
    if (await listens('127.0.0.1', port)) throw new Error(`Port ${port} is taken by another process: ${broker.id} cannot start (see \`ss -ltnp\`)`);
  }
  prepare(root, broker);
  try {
    sh(CHROOT, [root, 'rabbitmq-server', '-detached'], { timeoutMs: 60_000 });
    // -detached returns before the node registers with epmd, and await_startup gives up at once until it has.
    const booted = await waitUntil(() => ctl(root, broker, ['await_startup', '--timeout', '60'], { timeoutMs: 70_000, quiet: true }).status === 0, START_TIMEOUT_MS, 1000);
    if (!booted) throw new Error(`${broker.node} did not boot within ${START_TIMEOUT_MS} ms`);
    const serving = await waitUntil(async () => (await amqpAnswers('127.0.0.1', broker.amqpPort)) && (await listens('127.0.0.1', broker.managementPort)), 60_000);
    if (!serving) throw new Error(`${broker.node} booted but AMQP ${broker.amqpPort} / management ${broker.managementPort} do not answer`);
    return true;
  } catch (error) {
    const tail = logTail(root, broker);
    log(`${broker.id}: start failed, tearing down`);
    await stop(root, broker);
    throw new Error(`${error.message}\n${tail}`);
  }
}

/** Stops the node (rabbitmqctl stop; SIGKILL by its own pid if that does not finish) and unmounts its /proc. */
async function stop(root, broker) {
  const pid = readPid(root);
  if (alive(pid)) {
    ctl(root, broker, ['stop'], { timeoutMs: STOP_TIMEOUT_MS });
    if (!(await waitUntil(() => !alive(pid), STOP_TIMEOUT_MS, 200)) && runsIn(pid, root)) {
      log(`${broker.id}: node pid ${pid} still alive after rabbitmqctl stop; SIGKILL`);
      process.kill(pid, 'SIGKILL');
      await waitUntil(() => !alive(pid), 10_000, 100);
    }
  }
  await sleep(0);
  unmountAll(inRoot(root, '/proc'));
}

/** What `status` prints for a chroot broker. */
async function describe(root, broker) {
  const pid = readPid(root);
  const amqp = await amqpAnswers('127.0.0.1', broker.amqpPort);
  const management = await listens('127.0.0.1', broker.managementPort);
  return `${alive(pid) ? `running (pid ${pid})` : 'stopped'}, AMQP ${broker.amqpPort} ${amqp ? 'answers' : 'closed'}, management ${broker.managementPort} ${management ? 'answers' : 'closed'}`;
}

const envFor = (root, broker) => envOf(broker, { rabbitmqctl: ctlCommand(root), tlsDir: { here: inRoot(root, TLS_DIR_IN_BROKER), inBroker: TLS_DIR_IN_BROKER } });

module.exports = { start, stop, running, describe, envFor, ctlCommand, readPid };
