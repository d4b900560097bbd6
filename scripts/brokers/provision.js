/**
 * A cached Debian chroot with one suite's rabbitmq-server: `debootstrap --variant=minbase
 * --include=rabbitmq-server <suite> DIR <mirror>`, built beside the cache and moved into place with a
 * marker written last, so a cache directory without its marker is never used (it is rebuilt).
 */
const fs = require('fs');
const path = require('path');
const { rootOf } = require('./matrix');
const { log, sh, has, isRoot, removeTree, unmountAll, seconds } = require('./system');

const MARKER = '.warren-broker.json';
const DEBOOTSTRAP_TIMEOUT_MS = Number(process.env.WARREN_BROKERS_DEBOOTSTRAP_TIMEOUT_MS || 900_000);

/** The Debian mirror this machine's apt uses (first non-security `.../debian` URI), else deb.debian.org. */
function aptMirror() {
  if (process.env.WARREN_BROKERS_MIRROR) return process.env.WARREN_BROKERS_MIRROR;
  const files = ['/etc/apt/sources.list'];
  try {
    for (const name of fs.readdirSync('/etc/apt/sources.list.d')) files.push(path.join('/etc/apt/sources.list.d', name));
  } catch {
    // no sources.list.d
  }
  for (const file of files) {
    let text = '';
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    const uris = [
      ...[...text.matchAll(/^\s*URIs:\s*(.+)$/gim)].flatMap((m) => m[1].trim().split(/\s+/)),
      ...[...text.matchAll(/^\s*deb\s+(?:\[[^\]]*\]\s+)?(\S+)/gim)].map((m) => m[1]),
    ];
    const mirror = uris.find((uri) => /^https?:\/\/.+\/debian\/?$/.test(uri) && !/security/.test(uri));
    if (mirror) return mirror.replace(/\/$/, '');
  }
  return 'http://deb.debian.org/debian';
}

function readMarker(root) {
  try {
    return JSON.parse(fs.readFileSync(path.join(root, MARKER), 'utf8'));
  } catch {
    return undefined;
  }
}

/** The rabbitmq-server version installed in a chroot (from its library directory), or undefined. */
function installedVersion(root) {
  try {
    const dir = fs.readdirSync(path.join(root, 'usr/lib/rabbitmq/lib')).find((name) => name.startsWith('rabbitmq_server-'));
    return dir?.slice('rabbitmq_server-'.length);
  } catch {
    return undefined;
  }
}

/** debootstrap, as root; installed with apt-get when missing (as ensure-broker.js installs rabbitmq-server). */
function ensureDebootstrap() {
  if (!isRoot()) return false;
  if (has('debootstrap')) return true;
  if (!has('apt-get')) return false;
  log('installing debootstrap with apt-get');
  sh('apt-get', ['install', '-y', '-qq', 'debootstrap'], { timeoutMs: 300_000, env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' }, check: false });
  return has('debootstrap');
}

/** The chroot of `broker`, from the cache or built now; resolves with its root and how long building took (0 when cached). */
function provision(broker) {
  const root = rootOf(broker);
  const marker = readMarker(root);
  if (marker && marker.suite === broker.suite) return { root, version: marker.version, builtMs: 0 };
  if (fs.existsSync(root)) {
    log(`${root} has no completion marker (an interrupted build): rebuilding it`);
    removeTree(root);
  }
  const building = `${root}.building`;
  removeTree(building);
  fs.mkdirSync(path.dirname(root), { recursive: true });
  const mirror = aptMirror();
  const started = Date.now();
  try {
    const args = ['--variant=minbase', '--include=rabbitmq-server', broker.suite, building, mirror, ...(broker.script ? [broker.script] : [])];
    // coreutils timeout signals debootstrap's whole process group (dpkg, chroot…), not debootstrap alone.
    const limit = String(Math.ceil(DEBOOTSTRAP_TIMEOUT_MS / 1000));
    sh('timeout', ['-k', '15', limit, 'debootstrap', ...args], { timeoutMs: DEBOOTSTRAP_TIMEOUT_MS + 30_000, env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
    const version = installedVersion(building);
    if (!version) throw new Error(`debootstrap finished but ${building} has no rabbitmq-server`);
    if (!version.startsWith(`${broker.id}.`)) {
      throw new Error(
        `Debian ${broker.suite} now has rabbitmq-server ${version}, not ${broker.id}.x: point WARREN_BROKERS_MIRROR at a ` +
          'snapshot of the archive that has it (e.g. http://snapshot.debian.org/archive/debian/<date>), or update scripts/brokers/matrix.js',
      );
    }
    // debootstrap unmounts what it mounted; anything left would make the rename and later deletes unsafe.
    unmountAll(building);
    fs.writeFileSync(path.join(building, MARKER), JSON.stringify({ suite: broker.suite, version, mirror, builtAt: new Date().toISOString() }, null, 2));
    fs.renameSync(building, root);
    const builtMs = Date.now() - started;
    log(`${broker.id}: built ${root} (rabbitmq-server ${version} from ${mirror}) in ${seconds(builtMs)}`);
    return { root, version, builtMs };
  } catch (error) {
    log(`${broker.id}: provisioning failed, removing ${building}`);
    removeTree(building);
    throw error;
  }
}

module.exports = { provision, ensureDebootstrap, aptMirror, readMarker, installedVersion, MARKER };
