import { readFileSync } from 'fs';
import { join } from 'path';
import { BROKER_URL, unique } from './support/broker';
import { warren } from './support/cli';
import { createLimitedUser, LimitedUser, managementBase } from './support/limited-user';

/** Each failure is one line on stderr, `warren: …`, and exit code 1. */
function oneLine(err: string): string {
  const lines = err.trim().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(/^warren: /);
  expect(err).not.toMatch(/\n\s+at /);
  return lines[0];
}

describe('warren CLI: version, endpoints and errors (real broker)', () => {
  let user: LimitedUser;
  const env = { RABBITMQ_URL: BROKER_URL, WARREN_MANAGEMENT_URL: undefined };
  beforeAll(async () => {
    user = await createLimitedUser({ configure: '.*', write: '.*', read: '.*' });
  });
  afterAll(async () => user?.remove());

  it('--version prints the package version', async () => {
    const { version } = JSON.parse(readFileSync(join(__dirname, '..', 'libs', 'warren', 'package.json'), 'utf8')) as { version: string };
    const run = await warren(['--version']);
    expect(run.code).toBe(0);
    expect(run.out.trim()).toBe(version);
  });

  it('publish to a missing exchange: one line naming it, exit 1', async () => {
    const missing = unique('no-exchange');
    const run = await warren(['publish', missing, 'k', '{}'], { env });
    expect(run.code).toBe(1);
    expect(oneLine(run.err)).toContain(`NOT_FOUND - no exchange '${missing}'`);
  });

  it('tail on a missing exchange and inspect of a missing queue: one line, exit 1', async () => {
    const tail = await warren(['tail', unique('no-exchange'), '#'], { env });
    expect(tail.code).toBe(1);
    expect(oneLine(tail.err)).toContain('no exchange');
    const inspect = await warren(['dlq', 'inspect', unique('no-queue')], { env });
    expect(inspect.code).toBe(1);
    expect(oneLine(inspect.err)).toContain('does not exist');
  });

  it('a wrong password, a missing vhost, an unreachable broker: one line, exit 1', async () => {
    const wrong = new URL(user.url);
    wrong.password = `not-${user.password}`;
    const refused = await warren(['dlq', 'inspect', 'x'], { env: { ...env, RABBITMQ_URL: wrong.toString() } });
    expect(refused.code).toBe(1);
    expect(oneLine(refused.err)).toContain('ACCESS_REFUSED');
    expect(refused.err).not.toContain(user.password);

    const vhost = unique('no-vhost');
    const elsewhere = new URL(user.url);
    elsewhere.pathname = `/${encodeURIComponent(vhost)}`;
    const noVhost = await warren(['dlq', 'inspect', 'x'], { env: { ...env, RABBITMQ_URL: elsewhere.toString() } });
    expect(noVhost.code).toBe(1);
    expect(oneLine(noVhost.err)).toContain(`vhost '${vhost}' does not exist or user '${user.user}' may not use it`);

    const unreachable = await warren(['dlq', 'inspect', 'x'], { env: { ...env, RABBITMQ_URL: 'amqp://127.0.0.1:1' } });
    expect(unreachable.code).toBe(1);
    expect(oneLine(unreachable.err)).toContain('ECONNREFUSED');
  });

  it('a 401 from the management API says why, and names the endpoint and where it came from', async () => {
    const { base } = managementBase();
    // The user has no management tag: the API refuses it.
    const run = await warren(['dlq', 'list'], { env: { ...env, RABBITMQ_URL: user.url, WARREN_MANAGEMENT_URL: base } });
    expect(run.code).toBe(1);
    const line = oneLine(run.err);
    expect(line).toContain(`${base} (WARREN_MANAGEMENT_URL) answered HTTP 401: wrong credentials, or the user lacks the management tag`);
    expect(run.err).not.toContain(user.password);
  });

  it('--verbose says which endpoints it reads; without it, nothing but the output', async () => {
    const { base } = managementBase();
    const quiet = await warren(['dlq', 'list'], { env: { ...env, WARREN_MANAGEMENT_URL: base } });
    expect(quiet.code).toBe(0);
    expect(quiet.err).toBe('');
    const verbose = await warren(['--verbose', 'dlq', 'list'], { env: { ...env, WARREN_MANAGEMENT_URL: base } });
    expect(verbose.code).toBe(0);
    expect(verbose.err).toContain(`management API: ${base} (WARREN_MANAGEMENT_URL)`);
    expect(verbose.err).toMatch(/broker: amqp:\/\/\S+ \(RABBITMQ_URL\)/);
  });
});
