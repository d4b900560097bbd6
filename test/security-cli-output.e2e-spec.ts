import { join } from 'path';
import { BROKER_URL, RawClient, unique, waitFor } from './support/broker';
import { linesOf, warren } from './support/cli';
import { LimitedUser, createLimitedUser, managementBase } from './support/limited-user';

const PROBE = join(__dirname, '..', 'dist', 'test', 'fixtures', 'memory-probe.js');
const withPassword = (password: string) => {
  const url = new URL(BROKER_URL);
  return `${url.protocol}//${url.username || 'guest'}:${password}@${url.host}${url.pathname}`;
};

/** What the CLI prints: never a password, never a raw terminal control sequence; memory it holds is bounded. */
describe('warren CLI output is safe to print (real broker)', () => {
  const work = unique('q.cli-out.work');
  const dlq = `${work}.dlq`;
  let raw: RawClient;

  const park = async (body: string | Buffer, headers: Record<string, unknown> = {}, messageId = 'm-1') => {
    raw.channel.sendToQueue(dlq, typeof body === 'string' ? Buffer.from(body) : body, { messageId, headers });
    await raw.channel.waitForConfirms();
  };

  beforeAll(async () => {
    raw = await RawClient.connect();
    for (const q of [work, dlq]) await raw.channel.assertQueue(q, { durable: false });
  });

  afterAll(async () => {
    await raw.deleteQueues(work);
    await raw.close();
  });

  beforeEach(async () => {
    for (const q of [work, dlq]) await raw.channel.purgeQueue(q);
  });

  it('an AMQP URL that cannot be parsed is not shown, in no part', async () => {
    for (const url of ['amqp://guest:s3cr#et-pw@127.0.0.1:1', 'amqp://guest:s3cr/et-pw@127.0.0.1:1', 'amqp://guest:98765/s3cret-pw@127.0.0.1:1', 'amqp://guest:s3cr?et@127.0.0.1:1']) {
      for (const run of [await warren(['--url', url, 'dlq', 'inspect', dlq]), await warren(['dlq', 'inspect', dlq], { env: { RABBITMQ_URL: url } })]) {
        expect([url, run.code]).toEqual([url, 2]);
        expect(run.err).toContain('(not shown)');
        expect(run.out + run.err).not.toMatch(/s3cr|98765/);
      }
    }
  });

  it('warns on stderr when --url carries a password, suggesting RABBITMQ_URL', async () => {
    const flagged = await warren(['--url', BROKER_URL, 'dlq', 'inspect', dlq]);
    expect(flagged.code).toBe(0);
    expect(linesOf(flagged.err)).toEqual([expect.stringMatching(/^warren: --url carries a password.*RABBITMQ_URL/)]);
    const fromEnv = await warren(['dlq', 'inspect', dlq], { env: { RABBITMQ_URL: BROKER_URL } });
    expect([fromEnv.code, fromEnv.err]).toEqual([0, '']);
    const notShown = await warren(['--url', withPassword('p4ss-w0rd-x'), 'dlq', 'inspect', unique('missing')]);
    expect(notShown.out + notShown.err).not.toContain('p4ss-w0rd-x');
  });

  describe('the management API', () => {
    let viewer: LimitedUser;
    const { base } = managementBase();
    const userInfo = (user: string, password: string) => base.replace('://', `://${encodeURIComponent(user)}:${encodeURIComponent(password)}@`);

    beforeAll(async () => {
      viewer = await createLimitedUser({ read: '.*', tags: 'management' });
    });
    afterAll(async () => viewer?.remove());

    it('takes credentials from --management-url user-info into a header and never prints them', async () => {
      const run = await warren(['--verbose', '--management-url', userInfo(viewer.user, viewer.password), 'dlq', 'list']);
      expect(run.code).toBe(0);
      expect(run.err).toContain(`management API: ${base} (--management-url)`);
      expect(run.out + run.err).not.toContain(viewer.password);

      const wrong = await warren(['--management-url', userInfo('guest', 'top secret pw'), 'dlq', 'list']);
      expect(wrong.code).toBe(1);
      expect(wrong.err).toMatch(/HTTP 401/);
      expect(wrong.out + wrong.err).not.toMatch(/top|secret/);
    });

    it('reads WARREN_MANAGEMENT_URL and says which endpoint it used', async () => {
      const run = await warren(['--verbose', 'dlq', 'list'], { env: { WARREN_MANAGEMENT_URL: base } });
      expect(run.code).toBe(0);
      expect(run.err).toContain(`management API: ${base} (WARREN_MANAGEMENT_URL)`);
      const unreachable = await warren(['dlq', 'list'], { env: { WARREN_MANAGEMENT_URL: 'http://127.0.0.1:1' } });
      expect(unreachable.code).toBe(1);
      expect(unreachable.err).toContain('http://127.0.0.1:1');
    });
  });

  it('prints control characters in bodies, ids and headers escaped, one line per field', async () => {
    const nasty = 'a\u001b]0;owned\u0007\u001b[2J\r\n- m-forged from nowhere\u009b31m\u202eb';
    await park(nasty, { 'warren-error': `boom\u001b[31m`, 'warren-original-exchange': 'ex\u001b[8m', 'warren-original-routing-key': 'k', custom: nasty }, 'id\u001b[5m');
    const run = await warren(['dlq', 'inspect', dlq]);
    expect(run.code).toBe(0);
    // eslint-disable-next-line no-control-regex -- no control character may reach the terminal
    expect(run.out).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/);
    expect(run.out).toContain('body: a\\x1b]0;owned\\x07\\x1b[2J\\r\\n- m-forged from nowhere\\x9b31m\\u202eb');
    expect(run.out).toContain('- id\\x1b[5m from');
    expect(run.out).toContain('reason: boom\\x1b[31m');
    expect(linesOf(run.out).filter((line) => line.startsWith('- '))).toHaveLength(1);
  });

  it('tail prints routing keys and bodies escaped', async () => {
    const exchange = unique('cli-out.tail');
    await raw.channel.assertExchange(exchange, 'topic', { autoDelete: true });
    let ready = false;
    const tail = warren(['tail', exchange, '#', '--count', '1'], { onLine: (line) => (ready ||= line.startsWith('tailing')) });
    await waitFor(() => ready, 'tail to bind its queue');
    await raw.publish(exchange, 'k\u001b[2J', 'x\u001b]52;c;Zm9v\u0007y');
    const run = await tail;
    expect(run.code).toBe(0);
    expect(run.out).toContain('k\\x1b[2J\tx\\x1b]52;c;Zm9v\\x07y');
    expect(run.out).not.toContain('\u001b');
  });

  it('redacts credentials in printed bodies, headers and reasons, also where the preview cuts a URI', async () => {
    await park('{"db":"amqp://app:hunter2@db:5672"}', { 'warren-error': 'cannot reach postgres://app:hunter2@db/x', custom: 'redis://:hunter2@cache' }, 'm-a');
    await park(`${'.'.repeat(180)}amqp://app:hunter2-and-more@db`, {}, 'm-b');
    const run = await warren(['dlq', 'inspect', dlq]);
    expect(run.code).toBe(0);
    expect(run.out).toContain('amqp://app:***@db:5672');
    expect(run.out).toContain('postgres://app:***@db/x');
    expect(run.out).not.toContain('hunter');
  });

  describe('memory', () => {
    const retainedPeak = (err: string) => Number(/memory-probe retained-peak=(\d+)/.exec(err)?.[1]);
    const probed = (args: string[]) => warren(args, { nodeArgs: ['--expose-gc', '--require', PROBE], timeoutMs: 60_000 });
    const MiB = 1024 * 1024;

    it('inspect --limit and replay --filter hold a few messages at a time, not the queue (100 x 1 MiB)', async () => {
      const baseline = retainedPeak((await probed(['dlq', 'inspect', dlq])).err);
      expect(baseline).toBeGreaterThan(0);
      const body = Buffer.alloc(MiB, 'x');
      for (let i = 0; i < 100; i++) await park(body, { 'warren-error': i === 99 ? 'the one' : 'other' }, `m-${i}`);

      // One message and the buffers of its frames: measured 6-11 MiB over the baseline on an idle machine and
      // up to ~24 MiB on a loaded one (garbage between forced collections), whatever the queue holds; holding
      // the queue would be at least 100 MiB.
      const bound = 40 * MiB;
      const inspected = await probed(['dlq', 'inspect', dlq, '--limit', '100']);
      expect(inspected.code).toBe(0);
      expect(inspected.out).toContain(`${dlq}: showing 100 of 100 message(s)`);
      expect(linesOf(inspected.out).filter((line) => line.startsWith('- m-'))).toHaveLength(100);
      expect(retainedPeak(inspected.err) - baseline).toBeLessThan(bound);
      expect(await raw.ready(dlq)).toBe(100);

      const replayed = await probed(['dlq', 'replay', dlq, '--filter', 'reason=the one']);
      expect(replayed.code).toBe(0);
      expect(replayed.out).toContain('Replayed 1 message(s)');
      expect(replayed.out).toContain('99 did not match the filter and stay');
      expect(retainedPeak(replayed.err) - baseline).toBeLessThan(bound);
      expect((await raw.drain(work)).map((m) => m.properties.messageId)).toEqual(['m-99']);
      expect(await raw.ready(dlq)).toBe(99);
    });
  });
});
