import { parseAmqpUrl } from '../cli/amqp-url';
import { managementTarget } from '../cli/management-api';
import { DEFAULT_URI } from '../warren.constants';

/**
 * The broker a test suite (and the fault kit) acts on, derived in one place from RABBITMQ_URL and
 * the documented overrides. scripts/broker-target.js is its JavaScript twin for the repo's scripts
 * (a unit test keeps the two in step).
 */
export interface BrokerTarget {
  /** The AMQP URL (it may carry credentials: print it through `safeUri`). */
  url: string;
  host: string;
  /** The URL's port. */
  port: number;
  /** The AMQP port the node itself listens on (differs from `port` behind a container's port mapping). */
  brokerPort: number;
  /** The node `rabbitmqctl` drives (`-n`), when one is named. */
  nodeName?: string;
  /** The whole `rabbitmqctl` command: the wrapper's words, then `-n <nodeName>` when a node is named. */
  rabbitmqctl: string[];
  /** Management HTTP API base, without a trailing slash. */
  managementUrl: string;
  /** The port of the TLS listener tests may configure on this node. */
  tlsPort: number;
  /** A directory the broker can read, as seen here and as the broker sees it (for certificate files). */
  tlsDir?: { here: string; inBroker: string };
  /** True when this is the machine's default broker: local, port 5672, no node or wrapper named. */
  isDefault: boolean;
}

/** Explicit choices; each wins over its environment variable. */
export interface BrokerTargetOptions {
  /** @default RABBITMQ_URL, else amqp://guest:guest@127.0.0.1:5672 */
  url?: string;
  /** @default WARREN_RABBITMQCTL split on spaces, else ['rabbitmqctl'] */
  rabbitmqctl?: string[];
  /** @default RABBITMQ_NODENAME (none: rabbitmqctl's own default node) */
  nodeName?: string;
  /** @default WARREN_BROKER_PORT, else the URL's port */
  brokerPort?: number;
  /** @default WARREN_MANAGEMENT_URL, else http(s)://<host>:15672 */
  managementUrl?: string;
}

const LOCAL_HOSTS = ['127.0.0.1', 'localhost', '::1', '[::1]'];

const words = (value: string | undefined): string[] | undefined => {
  const parts = value?.trim().split(/\s+/).filter(Boolean);
  return parts && parts.length > 0 ? parts : undefined;
};

const portOf = (value: string | undefined): number | undefined => {
  if (!value) return undefined;
  const port = Number(value);
  if (!Number.isInteger(port) || port <= 0 || port > 65535) throw new Error(`Not a TCP port: '${value}'`);
  return port;
};

/** Resolves the broker target from `options`, then `env` (RABBITMQ_URL, RABBITMQ_NODENAME, WARREN_*). */
export function resolveBrokerTarget(options: BrokerTargetOptions = {}, env: NodeJS.ProcessEnv = process.env): BrokerTarget {
  const url = options.url ?? env.RABBITMQ_URL ?? DEFAULT_URI;
  const parsed = new URL(url);
  const tls = parsed.protocol === 'amqps:';
  const host = parsed.hostname || '127.0.0.1';
  const port = portOf(parsed.port) ?? (tls ? 5671 : 5672);
  const nodeName = options.nodeName ?? (env.RABBITMQ_NODENAME || undefined);
  const wrapper = options.rabbitmqctl ?? words(env.WARREN_RABBITMQCTL);
  const tlsHere = env.WARREN_TLS_DIR || undefined;
  return {
    url,
    host,
    port,
    brokerPort: options.brokerPort ?? portOf(env.WARREN_BROKER_PORT) ?? port,
    nodeName,
    rabbitmqctl: [...(wrapper ?? ['rabbitmqctl']), ...(nodeName ? ['-n', nodeName] : [])],
    managementUrl: managementTarget(parseAmqpUrl(url, 'RABBITMQ_URL'), options.managementUrl, env.WARREN_MANAGEMENT_URL || undefined).base,
    tlsPort: portOf(env.WARREN_TLS_PORT) ?? (port === 5672 ? 5671 : port + 1),
    tlsDir: tlsHere ? { here: tlsHere, inBroker: env.WARREN_TLS_DIR_IN_BROKER || tlsHere } : undefined,
    isDefault: LOCAL_HOSTS.includes(host) && port === 5672 && !nodeName && !wrapper,
  };
}
