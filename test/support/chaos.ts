import { execFile } from 'child_process';
import { promisify } from 'util';
import { BROKER_URL } from './broker';
import { waitFor } from './broker';
import * as amqplib from 'amqplib';

const run = promisify(execFile);

/** rabbitmqctl, bounded in time. Chaos tests only run against the broker on this machine. */
async function rabbitmqctl(...args: string[]): Promise<string> {
  const { stdout } = await run('rabbitmqctl', args, { timeout: 60_000 });
  return stdout;
}

/**
 * Force-closes every client connection whose connection_name starts with `prefix`; returns how
 * many were closed. Fails loudly if rabbitmqctl refuses: a chaos test must not pass by accident.
 */
export async function closeConnections(prefix: string): Promise<number> {
  // The JSON formatter prints pids in a form close_connection cannot parse; the table form works.
  const out = await rabbitmqctl('list_connections', 'pid', 'client_properties', '-q');
  const pids = out
    .split('\n')
    .filter((line) => line.includes(`{"connection_name","${prefix}`))
    .map((line) => line.split('\t')[0]);
  for (const pid of pids) await rabbitmqctl('close_connection', pid, 'chaos test');
  return pids.length;
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

export async function stopBrokerApp(): Promise<void> {
  await rabbitmqctl('stop_app');
}

/** Starts the broker app and waits until it accepts AMQP connections again. */
export async function startBrokerApp(): Promise<void> {
  await rabbitmqctl('start_app');
  await waitFor(
    async () => {
      try {
        const connection = await amqplib.connect(BROKER_URL);
        await connection.close();
        return true;
      } catch {
        return false;
      }
    },
    'the broker to accept connections',
    60_000,
  );
}

/** For `finally` blocks: whatever a test did, leave a running broker behind. */
export async function restoreBroker(): Promise<void> {
  try {
    const connection = await amqplib.connect(BROKER_URL);
    await connection.close();
  } catch {
    await startBrokerApp();
  }
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
