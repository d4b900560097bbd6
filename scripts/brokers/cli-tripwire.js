/**
 * A tripwire for the host's RabbitMQ command line tools during a run against another broker: a directory
 * put first on the run's PATH holds stand-ins for rabbitmqctl and its siblings that record the call and
 * refuse it. A bare `rabbitmqctl` drives the default node, so any call is a test not using its target
 * (the target's own command is a wrapper such as `chroot DIR rabbitmqctl`, which resolves inside the
 * chroot and never meets these). Too short-lived to be seen reliably as sockets, so caught here instead.
 */
const fs = require('fs');
const os = require('os');
const path = require('path');

const TOOLS = ['rabbitmqctl', 'rabbitmq-plugins', 'rabbitmq-diagnostics', 'rabbitmq-queues', 'rabbitmq-upgrade', 'rabbitmq-server', 'rabbitmq-streams'];

class CliTripwire {
  constructor() {
    this.dir = fs.mkdtempSync(path.join(os.tmpdir(), 'warren-cli-tripwire-'));
    this.log = path.join(this.dir, 'calls.log');
    fs.writeFileSync(this.log, '');
    for (const tool of TOOLS) {
      const script = [
        '#!/bin/sh',
        `echo "$(date -u +%Y-%m-%dT%H:%M:%SZ) $(basename "$0") $*" >> '${this.log}'`,
        'echo "refused by scripts/test-brokers.js: this run must not drive the default broker (use the target\'s WARREN_RABBITMQCTL)" >&2',
        'exit 70',
        '',
      ].join('\n');
      fs.writeFileSync(path.join(this.dir, tool), script, { mode: 0o755 });
    }
  }

  /** `env` with the tripwire first on its PATH. */
  arm(env) {
    return { ...env, PATH: `${this.dir}${path.delimiter}${env.PATH ?? ''}` };
  }

  /** The calls made (each line: time, tool, arguments), and the directory removed. */
  disarm() {
    const calls = fs.readFileSync(this.log, 'utf8').split('\n').filter(Boolean);
    fs.rmSync(this.dir, { recursive: true, force: true });
    return calls;
  }
}

module.exports = { CliTripwire };
