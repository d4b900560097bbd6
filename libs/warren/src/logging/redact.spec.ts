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

describe('WarrenLogger with Nest', () => {
  it('prints the child context in the tag, once, and no literal undefined for errors without a stack', () => {
    const { ConsoleLogger } = jest.requireActual('@nestjs/common') as typeof import('@nestjs/common');
    const written: string[] = [];
    const consoleLogger = new ConsoleLogger();
    const spy = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: any) => (written.push(String(chunk)), true));
    const spyErr = jest.spyOn(process.stderr, 'write').mockImplementation((chunk: any) => (written.push(String(chunk)), true));
    try {
      const logger = new WarrenLogger('Warren', consoleLogger).child('Warren:Consumer');
      logger.warn('retrying');
      logger.error('parked');
    } finally {
      spy.mockRestore();
      spyErr.mockRestore();
    }
    // eslint-disable-next-line no-control-regex
    const text = written.join('').replace(/\x1b\[[0-9;]*m/g, '');
    expect(text).toContain('[Warren:Consumer] retrying');
    expect(text).toContain('[Warren:Consumer] parked');
    expect(text).not.toContain('undefined');
    expect(written.filter((line) => line.trim() === 'Warren:Consumer')).toHaveLength(0);
  });
});
