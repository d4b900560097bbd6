import * as twin from '../../../../scripts/broker-target';
import { resolveBrokerTarget } from './broker-target';

const CHROOT_43 = {
  RABBITMQ_URL: 'amqp://guest:guest@127.0.0.1:5660',
  RABBITMQ_NODENAME: 'warren43@localhost',
  WARREN_RABBITMQCTL: 'chroot /var/cache/warren-brokers/forky rabbitmqctl',
  WARREN_MANAGEMENT_URL: 'http://127.0.0.1:15660/',
  WARREN_TLS_PORT: '5661',
  WARREN_TLS_DIR: '/var/cache/warren-brokers/forky/tmp/warren-tls',
  WARREN_TLS_DIR_IN_BROKER: '/tmp/warren-tls',
};

describe('resolveBrokerTarget', () => {
  it('with nothing set, is the default broker on this machine', () => {
    expect(resolveBrokerTarget({}, {})).toEqual({
      url: 'amqp://guest:guest@127.0.0.1:5672',
      host: '127.0.0.1',
      port: 5672,
      brokerPort: 5672,
      nodeName: undefined,
      rabbitmqctl: ['rabbitmqctl'],
      managementUrl: 'http://127.0.0.1:15672',
      tlsPort: 5671,
      tlsDir: undefined,
      isDefault: true,
    });
  });

  it('drives the named node through the wrapper, with the management API and TLS port given', () => {
    expect(resolveBrokerTarget({}, CHROOT_43)).toMatchObject({
      port: 5660,
      nodeName: 'warren43@localhost',
      rabbitmqctl: ['chroot', '/var/cache/warren-brokers/forky', 'rabbitmqctl', '-n', 'warren43@localhost'],
      managementUrl: 'http://127.0.0.1:15660',
      tlsPort: 5661,
      tlsDir: { here: '/var/cache/warren-brokers/forky/tmp/warren-tls', inBroker: '/tmp/warren-tls' },
      isDefault: false,
    });
  });

  it('another port or host is never the default broker; the TLS port defaults to the port after it', () => {
    expect(resolveBrokerTarget({}, { RABBITMQ_URL: 'amqp://127.0.0.1:5700' })).toMatchObject({ isDefault: false, tlsPort: 5701 });
    expect(resolveBrokerTarget({}, { RABBITMQ_URL: 'amqp://rabbit.example:5672' })).toMatchObject({ isDefault: false, tlsPort: 5671 });
    expect(resolveBrokerTarget({}, { RABBITMQ_URL: 'amqps://rabbit.example' })).toMatchObject({ port: 5671, managementUrl: 'https://rabbit.example:15672' });
  });

  it('explicit options win over the environment', () => {
    const target = resolveBrokerTarget({ url: 'amqp://127.0.0.1:5672', rabbitmqctl: ['docker', 'exec', 'mq', 'rabbitmqctl'], nodeName: 'rabbit@mq', brokerPort: 5672 }, CHROOT_43);
    expect(target).toMatchObject({ port: 5672, brokerPort: 5672, rabbitmqctl: ['docker', 'exec', 'mq', 'rabbitmqctl', '-n', 'rabbit@mq'], isDefault: false });
  });

  it('refuses a port that is not one', () => {
    expect(() => resolveBrokerTarget({}, { WARREN_TLS_PORT: 'tls' })).toThrow("Not a TCP port: 'tls'");
  });

  it('scripts/broker-target.js gives the same answer for every case', () => {
    const cases: Array<[Parameters<typeof resolveBrokerTarget>[0], NodeJS.ProcessEnv]> = [
      [{}, {}],
      [{}, CHROOT_43],
      [{}, { RABBITMQ_URL: 'amqps://u:p@rabbit.example/vh', WARREN_BROKER_PORT: '5671' }],
      [{ url: 'amqp://127.0.0.1:5680', nodeName: 'x@localhost' }, { WARREN_RABBITMQCTL: '  docker  exec mq rabbitmqctl ' }],
      [{}, { RABBITMQ_URL: 'amqp://localhost', RABBITMQ_NODENAME: '' , WARREN_TLS_DIR: '/tmp/x' }],
    ];
    for (const [options, env] of cases) expect(twin.resolveBrokerTarget(options, env)).toEqual(resolveBrokerTarget(options, env));
  });
});
