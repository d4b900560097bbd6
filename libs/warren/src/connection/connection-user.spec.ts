import { uriUser } from './connection-user';

// amqplib's own reading of a URI's credentials (what it sends to the broker with PLAIN).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { credentialsFromUrl } = require('amqplib/lib/connect') as { credentialsFromUrl(parts: unknown): { username: string } };
// eslint-disable-next-line @typescript-eslint/no-require-imports
const parseUrl = require('url-parse') as (url: string, query: boolean) => unknown;

describe('uriUser', () => {
  it.each([
    'amqp://localhost',
    'amqp://127.0.0.1:5672/vhost',
    'amqp://guest:guest@localhost',
    'amqps://billing-svc:s3cret@broker.example:5671/prod',
    'amqp://user%40corp:pw@host',
    'amqp://us%20er:pw@host',
    'amqp://only-user@host',
    'amqp://:only-password@host',
    'amqp://jos%C3%A9:pw@host',
    'amqp://josé:pw@host',
    'amqp://a%2Fb:***@host',
  ])('reads %s as amqplib does', (uri) => {
    expect(uriUser(uri)).toBe(credentialsFromUrl(parseUrl(uri, true)).username);
  });

  it("is 'guest' for a URI without credentials and undefined for what is not a URL", () => {
    expect(uriUser('memory://')).toBe('guest');
    expect(uriUser('not a url')).toBeUndefined();
  });
});
