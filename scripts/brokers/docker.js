/**
 * The same matrix broker from the official image (`rabbitmq:<version>-management`), for machines with
 * a Docker engine and no root/debootstrap. Ports are published on 127.0.0.1 only; the node listens on
 * 5672 inside (WARREN_BROKER_PORT tells the fault kit so); a host directory is mounted for TLS files.
 * Not exercised on the machine this was written on (its Docker is a client without an engine).
 */
const fs = require('fs');
const path = require('path');
const { CACHE_DIR, envOf, tmp } = require('./matrix');
const { amqpAnswers, listens } = require('../ensure-broker');
const { sh, has, waitUntil } = require('./system');

const TLS_DIR_IN_CONTAINER = '/warren-tls';
const nameOf = (broker) => `warren-rabbitmq-${broker.id}`;
const hostname = (broker) => broker.node.split('@')[0];
const tlsDirOf = (broker) => path.join(fs.existsSync(CACHE_DIR) ? CACHE_DIR : tmp, `docker-${broker.id}-tls`);

/** Whether a Docker engine answers (a client alone is not enough). */
const engineAnswers = () => has('docker') && sh('docker', ['info'], { check: false, quiet: true, timeoutMs: 20_000, env: process.env }).status === 0;

const docker = (args, options = {}) => sh('docker', args, { env: process.env, ...options });

function containerRunning(broker) {
  const result = docker(['inspect', '-f', '{{.State.Running}}', nameOf(broker)], { check: false, quiet: true, timeoutMs: 20_000 });
  return result.status === 0 && result.output.trim() === 'true';
}

async function start(broker) {
  if (containerRunning(broker) && (await amqpAnswers('127.0.0.1', broker.amqpPort))) return false;
  docker(['rm', '-f', nameOf(broker)], { check: false, timeoutMs: 60_000 });
  fs.mkdirSync(tlsDirOf(broker), { recursive: true, mode: 0o755 });
  const publish = (hostPort, containerPort) => ['-p', `127.0.0.1:${hostPort}:${containerPort}`];
  docker(
    [
      'run', '-d', '--name', nameOf(broker), '--hostname', hostname(broker),
      ...publish(broker.amqpPort, 5672), ...publish(broker.managementPort, 15672), ...publish(broker.tlsPort, broker.tlsPort),
      '-v', `${tlsDirOf(broker)}:${TLS_DIR_IN_CONTAINER}:ro`,
      `rabbitmq:${broker.id}-management`,
    ],
    { timeoutMs: 600_000 }, // the first run pulls the image
  );
  const up = await waitUntil(async () => (await amqpAnswers('127.0.0.1', broker.amqpPort)) && (await listens('127.0.0.1', broker.managementPort)), 120_000, 1000);
  if (!up) {
    const logs = docker(['logs', '--tail', '30', nameOf(broker)], { check: false, timeoutMs: 20_000 }).output;
    await stop(broker);
    throw new Error(`${nameOf(broker)} did not answer on ${broker.amqpPort}/${broker.managementPort} within 120 s:\n${logs}`);
  }
  return true;
}

async function stop(broker) {
  docker(['rm', '-f', nameOf(broker)], { check: false, timeoutMs: 60_000 });
}

async function describe(broker) {
  return `${containerRunning(broker) ? `container ${nameOf(broker)} running` : 'no container'}, AMQP ${broker.amqpPort} ${(await amqpAnswers('127.0.0.1', broker.amqpPort)) ? 'answers' : 'closed'}`;
}

const envFor = (broker) =>
  envOf(
    { ...broker, nodeName: `rabbit@${hostname(broker)}` },
    { rabbitmqctl: ['docker', 'exec', nameOf(broker), 'rabbitmqctl'], brokerPort: 5672, tlsDir: { here: tlsDirOf(broker), inBroker: TLS_DIR_IN_CONTAINER } },
  );

module.exports = { engineAnswers, start, stop, describe, envFor, containerRunning };
