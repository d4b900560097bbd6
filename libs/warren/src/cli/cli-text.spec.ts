import { parseAmqpUrl } from './amqp-url';
import { UsageError } from './cli-errors';
import { managementTarget } from './management-api';
import { escapeControls, headersText, preview } from './terminal-text';

describe('CLI output text', () => {
  it('escapes C0, DEL, C1 and bidi/line-separator characters, and nothing else', () => {
    expect(escapeControls('a\u001b[2J\u0007\r\n\t\u007f\u009b\u202e\u2028é\\x1b')).toBe('a\\x1b[2J\\x07\\r\\n\\t\\x7f\\x9b\\u202e\\u2028é\\x1b');
  });

  it('previews a body redacted, escaped and cut, hiding the password of a URI the cut splits', () => {
    expect(preview(Buffer.from('see amqp://u:pw-secret@h\u001b'), 200)).toBe('see amqp://u:***@h\\x1b');
    expect(preview(Buffer.from(`${'.'.repeat(10)}amqp://u:pw-secret@h`), 20)).toBe('..........amqp://u:***…');
    expect(preview(Buffer.alloc(10 * 1024 * 1024, 'a'), 5)).toBe('aaaaa…');
  });

  it('prints headers as one line, Buffers as their length', () => {
    expect(headersText({ s: 'x\ny', b: Buffer.alloc(3), n: 1, u: 'redis://:pw-secret@c' }, 500)).toBe('{"s":"x\\ny","b":"<3 bytes>","n":1,"u":"redis://:***@c"}');
  });
});

describe('CLI URLs', () => {
  const refused = (text: string) => {
    let error: unknown;
    try {
      parseAmqpUrl(text, '--url');
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(UsageError);
    expect((error as Error).message).toContain('(not shown)');
    expect((error as Error).message).not.toMatch(/s3c|4321/);
  };

  it('refuses what cannot be parsed without echoing any part of it', () => {
    for (const text of ['amqp://u:s3c#ret@h', 'amqp://u:s3c/ret@h', 'amqp://u:4321/s3c@h', 'amqp://u:s3c?x@h', 'http://u:s3c@h', 'amqp://u:%E0%A4%A@h', 'not a url s3c']) refused(text);
  });

  it('hands amqplib the parts, decoded once', () => {
    const target = parseAmqpUrl('amqps://us%40er:p%23ss@[::1]:5671/v%2Fh?heartbeat=5&frameMax=8192', 'x');
    expect(target.connect).toEqual(expect.objectContaining({ protocol: 'amqps', hostname: '::1', port: 5671, username: 'us@er', password: 'p#ss', vhost: 'v%2Fh', heartbeat: 5, frameMax: 8192 }));
    expect([target.vhost, target.hasPassword, target.printable]).toEqual(['v/h', true, 'amqps://us%40er:***@[::1]:5671/v%2Fh?heartbeat=5&frameMax=8192']);
    expect(parseAmqpUrl('amqp://h', 'x').connect).toEqual(expect.objectContaining({ username: 'guest', password: 'guest', vhost: undefined }));
  });

  it('takes management credentials out of the URL into the Authorization header', () => {
    const amqp = parseAmqpUrl('amqp://app:app-pw@rabbit:5672/prod', 'x');
    const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
    expect(managementTarget(amqp, 'https://ops:o%20p@mgmt:443/rmq/?x=1#y', undefined)).toEqual({
      base: 'https://mgmt/rmq',
      source: '--management-url',
      authorization: basic('ops', 'o p'),
      vhost: 'prod',
      hasPassword: true,
      password: 'o p',
    });
    expect(managementTarget(amqp, undefined, 'http://m:15672')).toEqual(expect.objectContaining({ base: 'http://m:15672', source: 'WARREN_MANAGEMENT_URL', authorization: basic('app', 'app-pw') }));
    expect(managementTarget(amqp, undefined, undefined)).toEqual(expect.objectContaining({ base: 'http://rabbit:15672', source: 'from the AMQP URL' }));
    expect(() => managementTarget(amqp, 'http://u:s3c#x@m:1:2', undefined)).toThrow(/\(not shown\)/);
  });
});
