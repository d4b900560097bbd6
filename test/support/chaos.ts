import { execFile } from 'child_process';
import { promisify } from 'util';
import { WarrenFaults } from 'nestjs-warren/testing';
import { BROKER_URL } from './broker';

const run = promisify(execFile);

/** rabbitmqctl, bounded in time. Chaos tests only run against the broker on this machine. */
async function rabbitmqctl(...args: string[]): Promise<string> {
  const { stdout } = await run('rabbitmqctl', args, { timeout: 60_000 });
  return stdout;
}

/** The supported fault kit (nestjs-warren/testing): Warren's own chaos tests use it as users would. */
const faults = new WarrenFaults({ url: BROKER_URL });

/**
 * Force-closes every client connection whose connection_name starts with `prefix`; returns how
 * many were closed. Fails loudly if rabbitmqctl refuses: a chaos test must not pass by accident.
 */
export function closeConnections(prefix: string): Promise<number> {
  return faults.closeConnections(prefix, 'chaos test');
}

/** Prefetch of each consumer on `queue`, as the broker reports it. */
export async function consumerPrefetch(queue: string): Promise<number[]> {
  const out = await rabbitmqctl('list_consumers', '-q', '--no-table-headers', 'queue_name', 'prefetch_count');
  return out
    .split('\n')
    .map((line) => line.trim().split(/\s+/))
    .filter(([name]) => name === queue)
    .map(([, prefetch]) => Number(prefetch));
}

/** What the broker itself counts for `queue`: ready and delivered-but-unacked messages. */
export async function queueCounts(queue: string): Promise<{ ready: number; unacked: number }> {
  const out = await rabbitmqctl('list_queues', 'name', 'messages_ready', 'messages_unacknowledged', '-q', '--no-table-headers');
  const row = out.split('\n').map((line) => line.split('\t')).find((cols) => cols[0] === queue);
  if (!row) throw new Error(`rabbitmqctl does not list queue '${queue}'`);
  return { ready: Number(row[1]), unacked: Number(row[2]) };
}

/** Each queue's type ('classic', 'quorum', …) as the broker reports it. */
export async function queueTypes(...queues: string[]): Promise<Record<string, string>> {
  const out = await rabbitmqctl('list_queues', 'name', 'type', '-q', '--no-table-headers');
  const types = Object.fromEntries(out.split('\n').map((line) => line.trim().split('\t')));
  return Object.fromEntries(queues.map((queue) => [queue, types[queue] ?? 'missing']));
}

export function stopBrokerApp(): Promise<void> {
  return faults.stopBroker();
}

/** Starts the broker app and waits until it accepts AMQP connections again. */
export function startBrokerApp(): Promise<void> {
  return faults.startBroker();
}

/** For `finally` blocks: whatever a test did, leave a running broker behind. */
export function restoreBroker(): Promise<void> {
  return faults.restore();
}

/**
 * Turns the broker's TLS listener on 127.0.0.1:`port` on (with `pki`, requiring a client
 * certificate) or off (`pki` undefined), and restarts the broker app so it takes effect.
 */
export async function configureTlsListener(port: number, pki?: { caFile: string; serverCertFile: string; serverKeyFile: string }): Promise<void> {
  const env = pki
    ? `application:set_env(rabbit, ssl_options, [{cacertfile,"${pki.caFile}"},{certfile,"${pki.serverCertFile}"},` +
      `{keyfile,"${pki.serverKeyFile}"},{verify,verify_peer},{fail_if_no_peer_cert,true}]), ` +
      `application:set_env(rabbit, ssl_listeners, [{"127.0.0.1",${port}}]).`
    : 'application:set_env(rabbit, ssl_listeners, []).';
  await rabbitmqctl('eval', env);
  await stopBrokerApp();
  await startBrokerApp();
}

/**
 * Raises (`on`) or clears a memory alarm on the node `RABBITMQ_NODENAME` names (rabbit@localhost by
 * default), so a test acts only on the broker it is pointed at; bounded in time. Clear it in `finally`.
 */
export async function setMemoryAlarm(on: boolean): Promise<void> {
  const node = process.env.RABBITMQ_NODENAME ?? 'rabbit@localhost';
  await run('rabbitmqctl', ['-n', node, 'set_vm_memory_high_watermark', on ? '0.0000001' : '0.4'], { timeout: 30_000 });
}
