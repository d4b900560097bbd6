import { describeServers } from './servers';

describe('describeServers', () => {
  it('keeps scheme, host, port and virtual host of each broker, in failover order', () => {
    const { servers, vhost } = describeServers(['amqp://app:s3cret@rabbit-1:5673/orders', 'amqps://app:s3cret@rabbit-2/%2F', 'amqp://rabbit-3']);
    expect(servers).toEqual({
      rabbitmq_1: { host: 'rabbit-1:5673', protocol: 'amqp', protocolVersion: '0.9.1', pathname: '/orders', description: 'Broker 1 of 3, in the order Warren tries them' },
      rabbitmq_2: { host: 'rabbit-2:5671', protocol: 'amqps', protocolVersion: '0.9.1', pathname: '/%2F', description: 'Broker 2 of 3, in the order Warren tries them' },
      rabbitmq_3: { host: 'rabbit-3:5672', protocol: 'amqp', protocolVersion: '0.9.1', description: 'Broker 3 of 3, in the order Warren tries them' },
    });
    expect(vhost).toBe('orders');
  });

  it.each([
    ['a password with URI-special characters', 'amqp://user:p%40ss%3Aw0rd%2F@host/v'],
    ['credentials in the query', 'amqp://host/?password=qwerty-secret&auth=plain'],
    ['a user without a password', 'amqp://only-user-name@host'],
  ])('leaves out %s', (_, uri) => {
    const text = JSON.stringify(describeServers([uri]));
    for (const secret of ['p%40ss', 'p@ss', 'w0rd', 'qwerty-secret', 'only-user-name', 'user:']) expect(text).not.toContain(secret);
    expect(describeServers([uri]).servers.rabbitmq.host).toBe('host:5672');
  });

  it('skips what is not an AMQP URI rather than guess where its secrets are', () => {
    expect(describeServers(['not a uri with secret', 'http://user:secret@host', 'amqp://host/%E0%A4%A']).servers).toEqual({});
  });
});
