/**
 * Watches the machine's default broker (127.0.0.1:5672, management :15672) while the suite runs against
 * another one, to prove the run never touched it: its listeners and alarms are polled every second
 * (read-only, through the management API, which also stops answering while its app is stopped), and its log is read afterwards for a stop_app, an alarm,
 * a listener started or stopped, or a connection force-closed during the run. Meanwhile every TCP
 * connection from the run's own processes to the default broker's ports is recorded (socket-watch.js):
 * any is a failure. A disruption the node shows while none of the run's processes reached it, and
 * other processes did, is another client's (a shared machine) and is reported, not failed.
 */
const fs = require('fs');
const { setInterval, clearInterval } = require('timers');
const { SocketWatch } = require('./socket-watch');

const BASE = (process.env.WARREN_DEFAULT_MANAGEMENT_URL || 'http://127.0.0.1:15672').replace(/\/$/, '');
const AUTH = `Basic ${Buffer.from('guest:guest').toString('base64')}`;

/** Log lines that only a disruption of this node writes. */
const DISRUPTIONS = [
  /Stopping RabbitMQ applications/,
  /resource limit alarm set/,
  /(started|stopped) .*listener on/,
  /Closing connection .* because/,
  /[Mm]emory high watermark set/,
];

async function api(path) {
  const response = await fetch(`${BASE}/api${path}`, { headers: { authorization: AUTH }, signal: AbortSignal.timeout(5_000) });
  if (!response.ok) throw new Error(`${path}: HTTP ${response.status}`);
  return response.json();
}

/** Listeners as one comparable string, the alarms raised, and the node's log file. */
async function snapshot() {
  const overview = await api('/overview');
  const node = await api(`/nodes/${encodeURIComponent(overview.node)}`);
  const listeners = overview.listeners
    .map((l) => `${l.protocol}:${l.ip_address}:${l.port}`)
    .sort()
    .join(' ');
  const alarms = [node.mem_alarm && 'memory', node.disk_free_alarm && 'disk'].filter(Boolean);
  const log = (node.log_files ?? []).find((file) => file.endsWith(`${overview.node}.log`));
  const ports = [...new Set([...overview.listeners.map((l) => l.port), 5671])];
  return { node: overview.node, listeners, alarms, log, ports };
}

class DefaultNodeWatch {
  constructor() {
    this.events = [];
    this.timer = undefined;
  }

  /** Resolves false (and watches nothing) when no default broker with its management API runs here. */
  async start() {
    try {
      this.before = await snapshot();
    } catch (error) {
      this.unavailable = error.message;
      return false;
    }
    this.logOffset = this.before.log && fs.existsSync(this.before.log) ? fs.statSync(this.before.log).size : undefined;
    this.startedAt = new Date();
    this.sockets = new SocketWatch(this.before.ports);
    this.timer = setInterval(() => void this.poll(), 1000);
    return true;
  }

  /** Attributes connections to the default broker from the process tree under `pid` (a jest run) to this run. */
  track(pid) {
    this.sockets?.track(pid);
  }

  async poll() {
    if (this.polling) return;
    this.polling = true;
    const at = new Date().toISOString();
    try {
      const now = await snapshot();
      if (now.listeners !== this.before.listeners) this.events.push(`${at} listeners changed: ${now.listeners}`);
      if (now.alarms.length > 0) this.events.push(`${at} alarm raised: ${now.alarms.join(', ')}`);
    } catch (error) {
      this.events.push(`${at} management API did not answer (${error.message})`);
    } finally {
      this.polling = false;
    }
  }

  /** Stops watching; resolves { watched, node, events, logLines, clean }. */
  async stop() {
    if (this.timer) clearInterval(this.timer);
    if (!this.before) return { watched: false, reason: this.unavailable, events: [], logLines: [], clean: true };
    await this.poll();
    let logLines = [];
    if (this.logOffset !== undefined) {
      const text = readFrom(this.before.log, this.logOffset);
      logLines = text.split('\n').filter((line) => DISRUPTIONS.some((pattern) => pattern.test(line)));
    }
    const events = [...new Set(this.events)].slice(0, 20);
    const sockets = this.sockets.stop();
    const disturbed = events.length > 0 || logLines.length > 0;
    // Not this run's doing when none of its processes reached the node and other processes did.
    const byOthers = disturbed && sockets.available && sockets.contacts.length === 0 && sockets.otherProcesses > 0;
    return {
      watched: true,
      node: this.before.node,
      since: this.startedAt.toISOString(),
      listeners: this.before.listeners,
      log: this.before.log,
      contacts: sockets.contacts,
      otherProcesses: sockets.otherProcesses,
      socketsWatched: sockets.available,
      events,
      logLines,
      byOthers,
      clean: sockets.contacts.length === 0 && (!disturbed || byOthers),
    };
  }
}

/** The lines of `file` past `offset` that only a disruption writes (for the target's own log: proof the faults landed there). */
function disruptionsSince(file, offset) {
  if (!file || !fs.existsSync(file)) return [];
  return readFrom(file, offset)
    .split('\n')
    .filter((line) => DISRUPTIONS.some((pattern) => pattern.test(line)));
}

const sizeOf = (file) => (file && fs.existsSync(file) ? fs.statSync(file).size : 0);

function readFrom(file, offset) {
  const size = fs.statSync(file).size;
  if (size <= offset) return '';
  const buffer = Buffer.alloc(size - offset);
  const fd = fs.openSync(file, 'r');
  try {
    fs.readSync(fd, buffer, 0, buffer.length, offset);
  } finally {
    fs.closeSync(fd);
  }
  return buffer.toString('utf8');
}

module.exports = { DefaultNodeWatch, DISRUPTIONS, disruptionsSince, sizeOf };
