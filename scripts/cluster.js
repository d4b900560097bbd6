#!/usr/bin/env node
/**
 * A local 3-node RabbitMQ cluster for Warren's cluster tests and bench, from the installed rabbitmq-server:
 *
 *   node scripts/cluster.js up             start n1..n3@localhost, join them, wait for 3 running nodes
 *   node scripts/cluster.js down           stop all three and delete their data
 *   node scripts/cluster.js status         which nodes run, and the cluster's view
 *   node scripts/cluster.js kill <node>    SIGKILL a node's Erlang VM (a crash, not a clean stop)
 *   node scripts/cluster.js stop <node>    stop a node cleanly
 *   node scripts/cluster.js start <node>   start a stopped or killed node again; it rejoins
 *
 * Each node has its own name, AMQP port (5681-5683), distribution port (25681-25683), config file,
 * enabled-plugins file and data directory under $WARREN_CLUSTER_DIR (default <tmp>/warren-cluster);
 * they share an Erlang cookie written there. The system broker on 5672 and its files are not touched.
 * Usable from code too: require('./cluster').up() etc. (the cluster tests' global setup does so).
 *
 * WARREN_CLUSTER_ROOT=<chroot> runs the nodes from that chroot's RabbitMQ instead of the installed one,
 * e.g. the broker matrix's cached 4.3 (`WARREN_CLUSTER_ROOT=/var/cache/warren-brokers/forky npm run
 * test:cluster`, after `node scripts/brokers.js up 4.3` once built it): the node files then live in
 * <chroot>/tmp/warren-cluster, and the host's epmd serves the nodes as it serves the matrix's.
 */
const { spawn, spawnSync } = require('child_process');
const fs = require('fs');
const { listens } = require('./ensure-broker');
const os = require('os');
const path = require('path');
const crypto = require('crypto');

const NODES = [1, 2, 3].map((i) => ({ id: `n${i}`, name: `n${i}@localhost`, amqpPort: 5680 + i, distPort: 25680 + i }));
/** A chroot whose RabbitMQ runs the nodes (unset: the installed one). */
const ROOT = process.env.WARREN_CLUSTER_ROOT ? path.resolve(process.env.WARREN_CLUSTER_ROOT) : undefined;
const DIR = ROOT ? path.join(ROOT, 'tmp', 'warren-cluster') : process.env.WARREN_CLUSTER_DIR || path.join(os.tmpdir(), 'warren-cluster');
/** A path under DIR as the nodes see it (inside the chroot, when there is one). */
const seen = (file) => (ROOT ? `/${path.relative(ROOT, file)}` : file);
const CHROOT = '/usr/sbin/chroot';
const START_TIMEOUT_MS = 120_000;
const STOP_TIMEOUT_MS = 30_000;
const log = (message) => process.stderr.write(`[cluster] ${message}\n`);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** amqp URIs of the three nodes, in order. */
const uris = () => NODES.map((node) => `amqp://guest:guest@127.0.0.1:${node.amqpPort}`);

/**
 * The command (an argv) of one RabbitMQ script: Debian's /usr/sbin wrappers switch to the rabbitmq
 * user, which cannot use our files, so the scripts themselves; in the chroot when there is one.
 */
function tool(name) {
  if (ROOT) {
    const inside = `/usr/lib/rabbitmq/bin/${name}`;
    if (!fs.existsSync(path.join(ROOT, inside))) {
      throw new Error(`${ROOT} has no ${inside}: WARREN_CLUSTER_ROOT must be a chroot with rabbitmq-server installed (\`node scripts/brokers.js up 4.3\` builds the matrix's)`);
    }
    return [CHROOT, ROOT, inside];
  }
  return [installedTool(name)];
}

/** A chroot's nodes need its /proc (and the host's /etc/hosts, else epmd cannot resolve localhost). */
function prepareRoot() {
  if (!ROOT) return;
  fs.copyFileSync('/etc/hosts', path.join(ROOT, 'etc', 'hosts'));
  if (!fs.existsSync(path.join(ROOT, 'proc', 'self'))) spawnSync('mount', ['-t', 'proc', 'proc', path.join(ROOT, 'proc')], { stdio: 'inherit', timeout: 30_000 });
}

function installedTool(name) {
  for (const dir of ['/usr/lib/rabbitmq/bin', '/usr/local/sbin', '/opt/homebrew/sbin', '/usr/sbin', '/usr/local/bin', '/usr/bin']) {
    const candidate = path.join(dir, name);
    if (fs.existsSync(candidate)) return candidate;
  }
  const found = spawnSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' });
  if (found.status === 0 && found.stdout.trim()) return found.stdout.trim();
  throw new Error(
    `${name} is not installed, so a local cluster cannot be started. Install RabbitMQ (Debian/Ubuntu: apt-get install rabbitmq-server; ` +
      'macOS: brew install rabbitmq), or with Docker run `docker compose --profile cluster up -d`.',
  );
}

function nodeOf(id) {
  const node = NODES.find((n) => n.id === id || n.name === id);
  if (!node) throw new Error(`Unknown node '${id}': use one of ${NODES.map((n) => n.id).join(', ')}`);
  return node;
}

const nodeDir = (node) => path.join(DIR, node.id);
const pidFile = (node) => path.join(nodeDir(node), 'rabbit.pid');

function environment(node) {
  const dir = nodeDir(node);
  return {
    ...process.env,
    HOME: seen(DIR), // where the shared .erlang.cookie is
    RABBITMQ_NODENAME: node.name,
    RABBITMQ_NODE_IP_ADDRESS: '127.0.0.1',
    RABBITMQ_NODE_PORT: String(node.amqpPort),
    RABBITMQ_DIST_PORT: String(node.distPort),
    RABBITMQ_CONFIG_FILE: seen(path.join(dir, 'rabbitmq.conf')),
    RABBITMQ_CONF_ENV_FILE: seen(path.join(dir, 'rabbitmq-env.conf')),
    RABBITMQ_ENABLED_PLUGINS_FILE: seen(path.join(dir, 'enabled_plugins')),
    RABBITMQ_MNESIA_BASE: seen(path.join(dir, 'mnesia')),
    RABBITMQ_LOG_BASE: seen(path.join(dir, 'log')),
    RABBITMQ_PID_FILE: seen(pidFile(node)),
    ERL_EPMD_ADDRESS: '127.0.0.1',
    RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS: '-kernel inet_dist_use_interface {127,0,0,1}',
    RABBITMQ_CTL_ERL_ARGS: '-kernel inet_dist_use_interface {127,0,0,1}',
  };
}

/** Files of one node: the system broker's config pins 5672, so every node gets its own. */
function writeNodeFiles(node) {
  const dir = nodeDir(node);
  fs.mkdirSync(path.join(dir, 'log'), { recursive: true });
  const peers = NODES.map((n, i) => `cluster_formation.classic_config.nodes.${i + 1} = ${n.name}`).join('\n');
  fs.writeFileSync(
    path.join(dir, 'rabbitmq.conf'),
    [
      `listeners.tcp.local = 127.0.0.1:${node.amqpPort}`,
      'cluster_formation.peer_discovery_backend = classic_config',
      peers,
      'vm_memory_high_watermark.relative = 0.2',
      'disk_free_limit.absolute = 50MB',
      'log.console = false',
      'log.file.level = warning',
      '',
    ].join('\n'),
  );
  fs.writeFileSync(path.join(dir, 'rabbitmq-env.conf'), '# empty: every setting comes from the environment scripts/cluster.js sets\n');
  fs.writeFileSync(path.join(dir, 'enabled_plugins'), '[].\n');
}

/** The Erlang cookie all nodes and rabbitmqctl share (HOME points at DIR). */
const COOKIE = path.join(DIR, '.erlang.cookie');

function writeCookie() {
  fs.mkdirSync(DIR, { recursive: true });
  if (!fs.existsSync(COOKIE)) fs.writeFileSync(COOKIE, crypto.randomBytes(20).toString('hex').toUpperCase(), { mode: 0o400 });
}

/** rabbitmqctl against one node; resolves with its exit code and output, never throws. */
function ctl(node, args, timeoutMs = 30_000) {
  // No cookie: no cluster was set up here (or it was torn down). Erlang could not start
  // rabbitmqctl without one and would leave an erl_crash.dump in the working directory.
  if (!fs.existsSync(COOKIE)) return { status: -1, output: `no cluster files in ${DIR}` };
  const [command, ...prefix] = tool('rabbitmqctl');
  const result = spawnSync(command, [...prefix, '-n', node.name, ...args], {
    env: environment(node),
    encoding: 'utf8',
    timeout: timeoutMs,
  });
  return { status: result.status ?? -1, output: `${result.stdout ?? ''}${result.stderr ?? ''}`.trim() };
}

/** True when the node's AMQP port accepts connections. */
const listening = (node) => listens('127.0.0.1', node.amqpPort);

function readPid(node) {
  try {
    const pid = Number(fs.readFileSync(pidFile(node), 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

function alive(pid) {
  if (!pid) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Starts one node in the background (its output goes to its log directory) and waits until it takes AMQP connections. */
async function start(id, timeoutMs = START_TIMEOUT_MS) {
  const node = nodeOf(id);
  writeCookie();
  writeNodeFiles(node);
  if (alive(readPid(node)) && (await listening(node))) return;
  prepareRoot();
  const out = fs.openSync(path.join(nodeDir(node), 'log', 'startup.log'), 'a');
  const [command, ...prefix] = tool('rabbitmq-server');
  const child = spawn(command, prefix, { env: environment(node), detached: true, stdio: ['ignore', out, out] });
  child.unref();
  fs.closeSync(out);
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null && child.exitCode !== 0) break;
    if (await listening(node)) return;
    await sleep(500);
  }
  throw new Error(`${node.name} did not take AMQP connections on port ${node.amqpPort} within ${timeoutMs} ms; see ${path.join(nodeDir(node), 'log')}`);
}

/** Stops a node cleanly (rabbitmqctl stop), killing it if that does not finish in time. */
async function stop(id) {
  const node = nodeOf(id);
  const pid = readPid(node);
  if (!alive(pid)) return;
  ctl(node, ['stop'], STOP_TIMEOUT_MS);
  const deadline = Date.now() + STOP_TIMEOUT_MS;
  while (alive(pid) && Date.now() < deadline) await sleep(200);
  if (alive(pid)) await kill(id);
}

/** SIGKILLs a node's VM: its connections drop without a close, as when a machine dies. */
async function kill(id) {
  const node = nodeOf(id);
  const pid = readPid(node);
  if (!alive(pid)) return;
  process.kill(pid, 'SIGKILL');
  const deadline = Date.now() + STOP_TIMEOUT_MS;
  while (alive(pid) && Date.now() < deadline) await sleep(100);
  if (alive(pid)) throw new Error(`${node.name} (pid ${pid}) is still alive after SIGKILL`);
}

/** Running members as the given node (or the first that answers) sees them. */
function runningNodes(via) {
  for (const node of via ? [nodeOf(via)] : NODES) {
    const result = ctl(node, ['cluster_status', '--formatter', 'json'], 15_000);
    if (result.status !== 0) continue;
    try {
      const json = JSON.parse(result.output.slice(result.output.indexOf('{')));
      return json.running_nodes ?? [];
    } catch {
      continue;
    }
  }
  return [];
}

/** Waits until `count` nodes are running members of one cluster. */
async function awaitRunning(count = NODES.length, timeoutMs = START_TIMEOUT_MS) {
  const deadline = Date.now() + timeoutMs;
  let seen = [];
  while (Date.now() < deadline) {
    seen = runningNodes();
    if (seen.length >= count) return seen;
    await sleep(1000);
  }
  throw new Error(`The cluster reports ${seen.length} running node(s) (${seen.join(', ') || 'none'}) after ${timeoutMs} ms; wanted ${count}`);
}

/** Starts all three nodes (from fresh data) and waits for a 3-node cluster; tears down what it started on failure. */
async function up() {
  tool('rabbitmq-server');
  await down();
  const startedAt = Date.now();
  try {
    // The first node forms the cluster; the others find it through classic_config peer discovery. RabbitMQ 4.x
    // peer discovery expects the nodes to start together (one started alone waits ~100 s for its peers).
    const since = () => `${((Date.now() - startedAt) / 1000).toFixed(1)} s`;
    const started = async (id) => {
      await start(id);
      log(`${nodeOf(id).name} takes connections (${since()})`);
    };
    if (ROOT) {
      log(`starting ${NODES.map((node) => node.name).join(', ')} together...`);
      await Promise.all(NODES.map((node) => started(node.id)));
    } else {
      log(`starting ${NODES[0].name} (AMQP port ${NODES[0].amqpPort}); it forms the cluster...`);
      await started('n1');
      log(`starting ${NODES[1].name} and ${NODES[2].name}, which join it...`);
      await Promise.all([started('n2'), started('n3')]);
    }
    log(`waiting for all ${NODES.length} nodes to be running members of one cluster...`);
    const running = await awaitRunning();
    log(`3-node cluster up in ${((Date.now() - startedAt) / 1000).toFixed(1)} s: ${running.join(', ')} (AMQP ports ${NODES.map((n) => n.amqpPort).join(', ')})`);
    return uris();
  } catch (error) {
    log(`cluster start failed, tearing down: ${error.message}`);
    await down();
    throw error;
  }
}

/** Stops every node and removes the data directory. */
async function down() {
  await Promise.all(NODES.map((node) => stop(node.id).catch(() => kill(node.id).catch(() => undefined))));
  fs.rmSync(DIR, { recursive: true, force: true });
}

async function status() {
  const lines = [];
  for (const node of NODES) {
    const pid = readPid(node);
    lines.push(`${node.name}  amqp 127.0.0.1:${node.amqpPort}  ${alive(pid) ? `running (pid ${pid})` : 'stopped'}${(await listening(node)) ? '' : ', not listening'}`);
  }
  lines.push(`running members: ${runningNodes().join(', ') || 'none'}`);
  return lines.join('\n');
}

/** The node that leads a quorum queue (e.g. 'n2@localhost'), asked of a running node. */
function queueLeader(queue) {
  for (const node of NODES) {
    if (!alive(readPid(node))) continue;
    const result = ctl(node, ['list_queues', 'name', 'leader', '--formatter', 'json'], 15_000);
    if (result.status !== 0) continue;
    try {
      const rows = JSON.parse(result.output.slice(result.output.indexOf('[')));
      const row = rows.find((r) => r.name === queue);
      if (row) return row.leader;
    } catch {
      continue;
    }
  }
  return undefined;
}

module.exports = { up, down, start, stop, kill, status, awaitRunning, runningNodes, queueLeader, uris, NODES, nodeOf };

if (require.main === module) {
  const [command, id] = process.argv.slice(2);
  const actions = {
    up: async () => console.log((await up()).join(',')),
    down,
    status: async () => console.log(await status()),
    kill: () => kill(id),
    stop: () => stop(id),
    start: () => start(id),
  };
  if (!actions[command] || (['kill', 'stop', 'start'].includes(command) && !id)) {
    log('usage: node scripts/cluster.js up|down|status|kill <node>|stop <node>|start <node>   (nodes: n1, n2, n3)');
    process.exit(2);
  }
  actions[command]().catch((error) => {
    log(error.message);
    process.exit(1);
  });
}
