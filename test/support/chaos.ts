import { faults, rabbitmqctl } from './target';

// Every command here goes to the node test/support/target.ts names, after the fault kit has checked
// that node is the broker RABBITMQ_URL names.

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
 * The file paths are the broker's own (see `makeTestPki`).
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
 * Raises (`on`) or clears a memory alarm on the broker the tests are pointed at (test/support/target.ts,
 * checked by the fault kit first); bounded in time. Clear it in `finally`.
 */
export async function setMemoryAlarm(on: boolean): Promise<void> {
  await rabbitmqctl('set_vm_memory_high_watermark', on ? '0.0000001' : '0.4');
}
