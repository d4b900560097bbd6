/**
 * Bounded shell steps for scripts/brokers.js: every command has a timeout, and mounts under a
 * directory are found and removed before that directory is ever deleted.
 */
const { spawnSync } = require('child_process');
const fs = require('fs');
const path = require('path');

const log = (message) => process.stderr.write(`[brokers] ${message}\n`);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** A clean environment for commands run inside a chroot: nothing of ours (RABBITMQ_*, HOME) leaks in. */
const CLEAN_ENV = { PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', LANG: 'C.UTF-8', LC_ALL: 'C.UTF-8' };

/**
 * Runs `command args` with a timeout; resolves { status, output } (never throws) unless `check` is
 * set, then throws with the output's tail when it fails or times out.
 */
function sh(command, args, { timeoutMs = 60_000, check = true, env = CLEAN_ENV, quiet = false } = {}) {
  if (!quiet) log(`$ ${[command, ...args].join(' ')}`);
  const result = spawnSync(command, args, { env, encoding: 'utf8', timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024 });
  const output = `${result.stdout ?? ''}${result.stderr ?? ''}`.trim();
  const timedOut = result.error?.code === 'ETIMEDOUT' || result.signal === 'SIGTERM';
  const status = result.status ?? -1;
  if (check && (status !== 0 || result.error)) {
    const why = timedOut ? `timed out after ${timeoutMs} ms` : result.error ? result.error.message : `exited with ${status}`;
    throw new Error(`${command} ${args.join(' ')} ${why}:\n${output.split('\n').slice(-15).join('\n')}`);
  }
  return { status, output, timedOut };
}

const has = (command) => sh('sh', ['-c', `command -v ${command}`], { check: false, quiet: true, env: process.env }).status === 0;
const isRoot = () => typeof process.getuid === 'function' && process.getuid() === 0;

/** Mount points at or under `dir`, deepest first (from /proc/mounts; octal escapes decoded). */
function mountsUnder(dir) {
  const base = path.resolve(dir);
  let table = '';
  try {
    table = fs.readFileSync('/proc/mounts', 'utf8');
  } catch {
    return [];
  }
  return table
    .split('\n')
    .map((line) => line.split(' ')[1])
    .filter(Boolean)
    .map((point) => point.replace(/\\([0-7]{3})/g, (_, code) => String.fromCharCode(parseInt(code, 8))))
    .filter((point) => point === base || point.startsWith(`${base}/`))
    .sort((a, b) => b.length - a.length);
}

/** Unmounts everything under `dir` (lazily when a plain unmount is refused); throws if anything stays mounted. */
function unmountAll(dir) {
  for (const point of mountsUnder(dir)) {
    if (sh('umount', [point], { check: false, timeoutMs: 30_000 }).status !== 0) sh('umount', ['-l', point], { check: false, timeoutMs: 30_000 });
  }
  const left = mountsUnder(dir);
  if (left.length > 0) throw new Error(`Still mounted under ${dir}: ${left.join(', ')}; not deleting it`);
}

/** Deletes `dir` after unmounting what is under it; never deletes through a mount point. */
function removeTree(dir) {
  if (!fs.existsSync(dir)) return;
  unmountAll(dir);
  sh('rm', ['-rf', '--one-file-system', dir], { timeoutMs: 300_000 });
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

/** Whether process `pid` runs inside the chroot `root` (so a recycled pid is never taken for our broker). */
function runsIn(pid, root) {
  try {
    return fs.realpathSync(`/proc/${pid}/root`) === fs.realpathSync(root);
  } catch {
    return false;
  }
}

/** Polls `check` until it holds or `timeoutMs` passes. */
async function waitUntil(check, timeoutMs, intervalMs = 500) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return true;
    if (Date.now() > deadline) return false;
    await sleep(intervalMs);
  }
}

const seconds = (ms) => `${(ms / 1000).toFixed(1)} s`;

module.exports = { log, sleep, sh, has, isRoot, mountsUnder, unmountAll, removeTree, alive, runsIn, waitUntil, seconds, CLEAN_ENV };
