import { RawClient, unique, waitFor } from './support/broker';
import { Run, warren } from './support/cli';

/** The dead-letter CLI against the real broker (the management plugin must be on for `dlq list`). */
describe('warren CLI (real broker)', () => {
  const exchange = unique('cli');
  const work = unique('q.cli.work');
  const dlq = `${work}.dlq`;
  const other = unique('q.cli.other');
  let raw: RawClient;

  const park = async (queue: string, count: number, reason: (i: number) => string) => {
    for (let i = 0; i < count; i++) {
      raw.channel.sendToQueue(queue, Buffer.from(JSON.stringify({ i })), {
        contentType: 'application/json',
        messageId: `m-${i}`,
        timestamp: Math.floor(Date.now() / 1000) - 60,
        headers: { 'warren-original-exchange': exchange, 'warren-original-routing-key': `job.${i}`, 'warren-error': reason(i), 'warren-attempt': 5, keep: 'me' },
      });
    }
    await raw.channel.waitForConfirms();
  };

  beforeAll(async () => {
    raw = await RawClient.connect();
    await raw.channel.assertExchange(exchange, 'topic', { autoDelete: true });
    for (const q of [work, dlq, other]) await raw.channel.assertQueue(q, { durable: false });
    await raw.channel.bindQueue(work, exchange, 'job.#');
  });

  afterAll(async () => {
    await raw.deleteQueues(work, other);
    await raw.deleteExchanges(exchange);
    await raw.close();
  });

  beforeEach(async () => {
    for (const q of [work, dlq, other]) await raw.channel.purgeQueue(q);
  });

  it('dlq list shows each dead-letter queue with its count', async () => {
    await park(dlq, 3, () => 'boom');
    // The management API's counts lag the queue by its statistics interval (a few seconds).
    const line = new RegExp(`${dlq.replace(/\./g, '\\.')}\\t3 message\\(s\\), oldest \\d+ s`);
    let last: Run | undefined;
    await waitFor(async () => {
      last = await warren(['dlq', 'list']);
      return last.code === 0 && line.test(last.out);
    }, `dlq list to show ${dlq} with 3 messages`, 20_000);
    expect(last!.code).toBe(0);
  });

  it('dlq inspect shows reasons and bodies, and removes nothing', async () => {
    await park(dlq, 3, (i) => `reason number ${i}`);
    const run = await warren(['dlq', 'inspect', dlq, '--limit', '2']);
    expect(run.code).toBe(0);
    expect(run.out).toContain(`${dlq}: showing 2 of 3 message(s)`);
    expect(run.out).toContain('reason: reason number 0');
    expect(run.out).toContain('reason: reason number 1');
    expect(run.out).toContain(`from '${exchange}'/'job.0', attempts 5`);
    expect(await raw.ready(dlq)).toBe(3);
  });

  it('dlq replay --filter sends matching messages back to the queue they were parked from, without the failure headers', async () => {
    await park(dlq, 5, (i) => (i % 2 ? 'timeout talking to db' : 'bad input'));
    const run = await warren(['dlq', 'replay', dlq, '--filter', 'reason=timeout']);
    expect(run.code).toBe(0);
    expect(run.out).toContain('Replayed 2 message(s)');
    expect(run.out).toContain('3 did not match the filter and stay');
    const replayed = await raw.drain(work);
    expect(replayed.map((m) => JSON.parse(m.content.toString()).i)).toEqual([1, 3]);
    // Through the default exchange (not the exchange the headers name); the routing headers stay, as on a retry.
    expect([replayed[0].fields.exchange, replayed[0].fields.routingKey]).toEqual(['', work]);
    expect(replayed[0].properties.headers).toEqual({ keep: 'me', 'warren-original-exchange': exchange, 'warren-original-routing-key': 'job.1' });
    expect(await raw.ready(dlq)).toBe(3);
  });

  it('an interrupted replay loses nothing: every message is still parked or already back', async () => {
    const total = 300;
    await park(dlq, total, () => 'timeout');
    let killedAt = '';
    const run = await warren(['dlq', 'replay', dlq], {
      onLine: (line, kill) => {
        if (!killedAt && line.startsWith('replayed 100/')) {
          killedAt = line;
          kill();
        }
      },
    });
    expect(killedAt).toBe(`replayed 100/${total}`);
    expect(run.code).toBeNull(); // killed
    await waitFor(async () => (await raw.ready(dlq)) + (await raw.ready(work)) >= total, 'the unacked originals back in the dead-letter queue');
    const ids = new Set([...(await raw.drain(dlq)), ...(await raw.drain(work))].map((m) => JSON.parse(m.content.toString()).i));
    expect(ids.size).toBe(total);
  });

  it('dlq move, and purge that asks for --yes', async () => {
    await park(dlq, 4, () => 'x');
    const moved = await warren(['dlq', 'move', dlq, other, '--limit', '3']);
    expect([moved.code, moved.out.trim()]).toEqual([0, `Moved 3 message(s) from ${dlq} to ${other}`]);
    expect(await raw.ready(other)).toBe(3);
    const refused = await warren(['dlq', 'purge', dlq]);
    expect(refused.code).toBe(2);
    expect(refused.err).toMatch(/run again with --yes/);
    expect(await raw.ready(dlq)).toBe(1);
    const purged = await warren(['dlq', 'purge', dlq, '--yes']);
    expect([purged.code, purged.out.trim()]).toEqual([0, `Purged 1 message(s) from ${dlq}`]);
  });

  it('publish and tail', async () => {
    let ready = false;
    const tail = warren(['tail', exchange, 'job.*', '--count', '1'], { onLine: (line) => (ready ||= line.startsWith('tailing')) });
    await waitFor(() => ready, 'tail to bind its queue');
    const published = await warren(['publish', exchange, 'job.7', '{"hello":"world"}']);
    expect([published.code, published.out.trim()]).toEqual([0, `Published to '${exchange}'/'job.7'`]);
    const tailed = await tail;
    expect(tailed.code).toBe(0);
    expect(tailed.out).toContain('job.7\t{"hello":"world"}');
    const unroutable = await warren(['publish', exchange, 'nobody.here', '{}']);
    expect(unroutable.code).toBe(1);
    expect(unroutable.err).toMatch(/Nothing is bound/);
  });

  it('never prints a password, and says what was wrong', async () => {
    const run = await warren(['--url', 'amqp://guest:s3cr3t-pw@127.0.0.1:1', 'dlq', 'inspect', dlq]);
    expect(run.code).toBe(1);
    expect(run.err).toMatch(/Cannot connect to amqp:\/\/guest:\*\*\*@127\.0\.0\.1:1/);
    expect(run.out + run.err).not.toContain('s3cr3t-pw');
    const usage = await warren(['dlq', 'inspect', dlq, '--limit', 'many']);
    expect(usage.code).toBe(2);
    expect(usage.err).toMatch(/--limit must be a whole number/);
  });
});
