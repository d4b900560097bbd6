/**
 * The broker the repo's scripts act on: the JavaScript twin of resolveBrokerTarget() in
 * libs/warren/src/testing/broker-target.ts (scripts run before any build, so they cannot load the
 * TypeScript one). Same inputs, same answer; libs/warren/src/testing/broker-target.spec.ts checks it.
 *
 *   RABBITMQ_URL              the AMQP URL (default amqp://guest:guest@127.0.0.1:5672)
 *   RABBITMQ_NODENAME         the node rabbitmqctl drives (-n)
 *   WARREN_RABBITMQCTL        how rabbitmqctl is run, words separated by spaces (e.g. `chroot /dir rabbitmqctl`)
 *   WARREN_MANAGEMENT_URL     the management API base (default http(s)://<host>:15672)
 *   WARREN_BROKER_PORT        the AMQP port the node itself listens on (default: the URL's)
 *   WARREN_TLS_PORT           the TLS listener's port tests may configure (default 5671 beside 5672, else port + 1)
 *   WARREN_TLS_DIR            a directory the broker can read, for certificates; WARREN_TLS_DIR_IN_BROKER is
 *                             the same directory as the broker sees it (default: the same path)
 */
const DEFAULT_URL = 'amqp://guest:guest@127.0.0.1:5672';
const LOCAL_HOSTS = ['127.0.0.1', 'localhost', '::1', '[::1]'];

function words(value) {
  const parts = value ? value.trim().split(/\s+/).filter(Boolean) : [];
  return parts.length > 0 ? parts : undefined;
}

function portOf(value) {
  if (!value) return undefined;
  const port = Number(value);
  if (!Number.isInteger(port) || port <= 0 || port > 65535) throw new Error(`Not a TCP port: '${value}'`);
  return port;
}

/** As managementTarget() in libs/warren/src/cli/management-api.ts: the given base, else http(s)://host:15672. */
function managementBase(url, given) {
  const parsed = new URL(url);
  return (given ?? `${parsed.protocol === 'amqps:' ? 'https' : 'http'}://${parsed.hostname}:15672`).replace(/\/$/, '');
}

function resolveBrokerTarget(options = {}, env = process.env) {
  const url = options.url ?? env.RABBITMQ_URL ?? DEFAULT_URL;
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
    managementUrl: managementBase(url, options.managementUrl ?? (env.WARREN_MANAGEMENT_URL || undefined)),
    tlsPort: portOf(env.WARREN_TLS_PORT) ?? (port === 5672 ? 5671 : port + 1),
    tlsDir: tlsHere ? { here: tlsHere, inBroker: env.WARREN_TLS_DIR_IN_BROKER || tlsHere } : undefined,
    isDefault: LOCAL_HOSTS.includes(host) && port === 5672 && !nodeName && !wrapper,
  };
}

const isLocalHost = (host) => LOCAL_HOSTS.includes(host);

module.exports = { resolveBrokerTarget, isLocalHost, DEFAULT_URL };
