import { join } from 'path';
import { amqplibFile, amqplibRoot } from './amqplib-files';
import { uriUser } from './connection-user';

type CredentialsFromUrl = (parts: unknown) => { username: string };

// amqplib's own reading of a URI's credentials (what it sends to the broker with PLAIN): 2.x parses the
// URI with WHATWG URL, 0.10.x (kept as a dev dependency under the alias amqplib-0.10) with url-parse.
const readers: Array<[string, (uri: string) => string]> = [
  ['2.x', (uri) => amqplibFile<{ credentialsFromUrl: CredentialsFromUrl }>('connect').credentialsFromUrl(new URL(uri)).username],
  [
    '0.10',
    (uri) => {
      const root = join(amqplibRoot(), '..', 'amqplib-0.10');
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const parseUrl = require(require.resolve('url-parse', { paths: [root] })) as (url: string, query: boolean) => unknown;
      return amqplibFile<{ credentialsFromUrl: CredentialsFromUrl }>('connect', root).credentialsFromUrl(parseUrl(uri, true)).username;
    },
  ],
];

describe('uriUser', () => {
  const uris = [
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
  ];
  describe.each(readers)('as amqplib %s reads it', (_version, amqplibUser) => {
    it.each(uris)('%s', (uri) => {
      expect(uriUser(uri)).toBe(amqplibUser(uri));
    });
  });

  it("is 'guest' for a URI without credentials and undefined for what is not a URL", () => {
    expect(uriUser('memory://')).toBe('guest');
    expect(uriUser('not a url')).toBeUndefined();
  });
});
