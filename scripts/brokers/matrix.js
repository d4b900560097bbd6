/**
 * The broker versions Warren's suite runs against beside the system broker (scripts/brokers.js).
 * Each comes from one Debian suite's rabbitmq-server package and has its own node name and ports,
 * clear of the system broker (5672/15672/25672/5671) and of scripts/cluster.js (5681-5683, 25681-25683).
 * The TLS port is the AMQP port + 1, which is also what the test target derives without WARREN_TLS_PORT.
 */
const os = require('os');
const path = require('path');

const BROKERS = [
  { id: '4.0', suite: 'trixie', script: undefined, node: 'warren40@localhost', amqpPort: 5640, tlsPort: 5641, managementPort: 15640, distPort: 25640 },
  {
    id: '4.3',
    suite: 'forky',
    // This debootstrap has no script for forky: the sid (unstable) one fits.
    script: '/usr/share/debootstrap/scripts/sid',
    node: 'warren43@localhost',
    amqpPort: 5660,
    tlsPort: 5661,
    managementPort: 15660,
    distPort: 25660,
  },
];

/** Where the chroots are cached between runs (one directory per Debian suite). */
const CACHE_DIR = process.env.WARREN_BROKERS_DIR || '/var/cache/warren-brokers';
/** Inside each chroot: the directory tests write TLS certificates to (the broker reads them). */
const TLS_DIR_IN_BROKER = '/tmp/warren-tls';

function brokerOf(id) {
  const broker = BROKERS.find((b) => b.id === id || b.suite === id);
  if (!broker) throw new Error(`Unknown broker '${id}': use one of ${BROKERS.map((b) => b.id).join(', ')}, or all`);
  return broker;
}

/** The brokers a command names: one id, or every one for 'all' (or nothing given). */
const brokersOf = (id) => (!id || id === 'all' ? BROKERS : [brokerOf(id)]);

const rootOf = (broker) => path.join(CACHE_DIR, broker.suite);

/**
 * The environment that points Warren's tests (test/support/target.ts) and scripts (scripts/broker-target.js)
 * at one broker. `rabbitmqctl` is the command that drives its node, e.g. ['/usr/sbin/chroot', root, 'rabbitmqctl'].
 */
function envOf(broker, { rabbitmqctl, brokerPort, tlsDir }) {
  return {
    RABBITMQ_URL: `amqp://guest:guest@127.0.0.1:${broker.amqpPort}`,
    RABBITMQ_NODENAME: broker.nodeName ?? broker.node,
    WARREN_RABBITMQCTL: rabbitmqctl.join(' '),
    WARREN_MANAGEMENT_URL: `http://127.0.0.1:${broker.managementPort}`,
    WARREN_TLS_PORT: String(broker.tlsPort),
    WARREN_TLS_DIR: tlsDir.here,
    WARREN_TLS_DIR_IN_BROKER: tlsDir.inBroker,
    ...(brokerPort ? { WARREN_BROKER_PORT: String(brokerPort) } : {}),
  };
}

module.exports = { BROKERS, CACHE_DIR, TLS_DIR_IN_BROKER, brokerOf, brokersOf, rootOf, envOf, tmp: os.tmpdir() };
