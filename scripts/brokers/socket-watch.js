/**
 * Which processes of one tree (a jest run and everything it spawns: CLI children, rabbitmqctl, apps)
 * hold TCP connections to given local ports, polled every 200 ms from `ss -tnp`. This attributes contact
 * with the default broker (AMQP, management, Erlang distribution for rabbitmqctl) to this run or not,
 * on a machine where other clients use that broker at the same time.
 */
const { spawnSync } = require('child_process');
const fs = require('fs');
const { setInterval, clearInterval } = require('timers');

/** Every descendant of `root` (and root), from /proc/<pid>/stat's parent field. */
function tree(root) {
  const children = new Map();
  for (const name of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${name}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (!children.has(ppid)) children.set(ppid, []);
      children.get(ppid).push(Number(name));
    } catch {
      // gone meanwhile
    }
  }
  const seen = new Set([root]);
  const queue = [root];
  while (queue.length > 0) {
    for (const child of children.get(queue.pop()) ?? []) {
      if (seen.has(child)) continue;
      seen.add(child);
      queue.push(child);
    }
  }
  return seen;
}

/** Established TCP connections as { local, peerPort, pids, command }. */
function connections() {
  const out = spawnSync('ss', ['-tnpH'], { encoding: 'utf8', timeout: 5_000 }).stdout ?? '';
  return out
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const cols = line.trim().split(/\s+/);
      const peer = cols[4] ?? '';
      const pids = [...line.matchAll(/pid=(\d+)/g)].map((m) => Number(m[1]));
      const command = /\(\("([^"]+)"/.exec(line)?.[1] ?? '?';
      return { local: cols[3], peer, peerPort: Number(peer.slice(peer.lastIndexOf(':') + 1)), pids, command };
    });
}

class SocketWatch {
  /** `ports`: the default broker's ports (AMQP, TLS, management, distribution). */
  constructor(ports) {
    this.ports = new Set(ports);
    this.root = undefined;
    this.hits = new Map();
    this.others = new Set();
    this.available = spawnSync('ss', ['-V'], { timeout: 5_000 }).status === 0;
  }

  /** Attributes from now on to the tree under `pid` (the next jest run). */
  track(pid) {
    this.root = pid;
    if (!this.timer && this.available) this.timer = setInterval(() => this.poll(), 200);
  }

  poll() {
    if (!this.root) return;
    const ours = tree(this.root);
    for (const c of connections()) {
      if (!this.ports.has(c.peerPort) || !/^(127\.0\.0\.1|\[::1\]|\[::ffff:127\.0\.0\.1\]):/.test(c.peer)) continue;
      if (!c.pids.some((pid) => ours.has(pid))) {
        for (const pid of c.pids) this.others.add(pid);
        continue;
      }
      const key = `${c.command} (pid ${c.pids.join(',')}) → ${c.peer}`;
      if (!this.hits.has(key)) this.hits.set(key, new Date().toISOString());
    }
  }

  /** Stops polling: what this run's processes connected to (first seen when), and how many other processes did. */
  stop() {
    if (this.timer) clearInterval(this.timer);
    this.poll();
    return { available: this.available, contacts: [...this.hits].map(([what, at]) => `${at} ${what}`), otherProcesses: this.others.size };
  }
}

module.exports = { SocketWatch, tree };
