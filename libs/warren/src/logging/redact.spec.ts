import { redactCredentials, safeUri } from './redact';
import { WarrenLogger } from './warren-logger';

describe('credential redaction', () => {
  it('hides the password of URIs inside any text', () => {
    expect(redactCredentials('failed amqp://user:s3cret@host:5672/vh and amqps://a:b@c')).toBe(
      'failed amqp://user:***@host:5672/vh and amqps://a:***@c',
    );
    expect(redactCredentials('amqp://host:5672 has no credentials')).toBe('amqp://host:5672 has no credentials');
  });

  it('prints a URI without its password', () => {
    expect(safeUri('amqp://guest:guest@127.0.0.1:5672')).toBe('amqp://guest:***@127.0.0.1:5672');
    expect(safeUri('amqps://broker.example/vhost')).toBe('amqps://broker.example/vhost');
  });

  it('redacts every message and stack the Warren logger writes', () => {
    const lines: string[] = [];
    const sink = {
      log: (m: string) => lines.push(m),
      warn: (m: string) => lines.push(m),
      error: (m: string, trace?: string) => lines.push(`${m} ${trace ?? ''}`),
      debug: (m: string) => lines.push(m),
      verbose: (m: string) => lines.push(m),
    };
    const logger = new WarrenLogger('Test', sink);
    const error = new Error('cannot reach amqp://u:topsecret@h');
    logger.log('using amqp://u:topsecret@h');
    logger.warn('amqp://u:topsecret@h');
    logger.error('amqp://u:topsecret@h', error);
    logger.child('Other').debug('amqp://u:topsecret@h');
    expect(lines).toHaveLength(4);
    for (const line of lines) expect(line).not.toContain('topsecret');
  });
});
