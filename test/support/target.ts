import { execFile } from 'child_process';
import { promisify } from 'util';
import { WarrenFaults, resolveBrokerTarget } from 'nestjs-warren/testing';

const run = promisify(execFile);

/**
 * The one broker the tests act on, from RABBITMQ_URL and the documented overrides (RABBITMQ_NODENAME,
 * WARREN_RABBITMQCTL, WARREN_MANAGEMENT_URL, WARREN_BROKER_PORT, WARREN_TLS_PORT, WARREN_TLS_DIR):
 * see resolveBrokerTarget in libs/warren/src/testing/broker-target.ts. Nothing in the tests names a
 * node, port or management address of its own.
 */
export const TARGET = resolveBrokerTarget();

/** The supported fault kit (nestjs-warren/testing), on the same target: Warren's chaos tests use it as users would. */
export const faults = new WarrenFaults({ url: TARGET.url });

/**
 * rabbitmqctl on the target's node, bounded in time. It first checks (once) that this node is the
 * broker RABBITMQ_URL names, so a test pointed elsewhere never queries or changes the default broker.
 */
export async function rabbitmqctl(...args: string[]): Promise<string> {
  await faults.verifyTarget();
  const [command, ...prefix] = TARGET.rabbitmqctl;
  const { stdout } = await run(command, [...prefix, ...args], { timeout: 60_000 });
  return stdout;
}

/** The target's management API: its base, the URL's credentials as a header, and the URL's vhost. */
export function managementBase(): { base: string; authorization: string; vhost: string } {
  const url = new URL(TARGET.url);
  const user = decodeURIComponent(url.username || 'guest');
  const password = decodeURIComponent(url.password || 'guest');
  const vhost = url.pathname && url.pathname !== '/' ? decodeURIComponent(url.pathname.slice(1)) : '/';
  return { base: TARGET.managementUrl, authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`, vhost };
}

async function call(method: string, path: string, body?: unknown): Promise<unknown> {
  const { base, authorization } = managementBase();
  const response = await fetch(`${base}/api${path}`, {
    method,
    headers: { authorization, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(10_000),
  });
  if (!response.ok) throw new Error(`management ${method} ${path}: ${response.status} ${await response.text()}`);
  const text = await response.text();
  return text ? JSON.parse(text) : undefined;
}

let managementChecked: Promise<void> | undefined;

/** Whether the management API at the base is the target's broker: one of its AMQP listeners is on the target's port. */
async function checkManagement(): Promise<void> {
  const overview = (await call('GET', '/overview')) as { listeners?: Array<{ protocol: string; port: number }> };
  const ports = (overview.listeners ?? []).filter((l) => l.protocol.startsWith('amqp')).map((l) => l.port);
  if (!ports.includes(TARGET.brokerPort)) {
    throw new Error(
      `The management API at ${TARGET.managementUrl} belongs to a broker listening on ${ports.join(', ') || 'no AMQP port'}, ` +
        `not ${TARGET.brokerPort}: set WARREN_MANAGEMENT_URL to the management API of the broker RABBITMQ_URL names`,
    );
  }
}

/** One call to the target's management API (checked once to be the target's); throws with the status when it is not 2xx. */
export async function management(method: string, path: string, body?: unknown): Promise<unknown> {
  managementChecked ??= checkManagement().catch((error: unknown) => {
    managementChecked = undefined;
    throw error;
  });
  await managementChecked;
  return call(method, path, body);
}
