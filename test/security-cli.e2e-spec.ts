import * as amqplib from 'amqplib';
import { RawClient, unique, waitFor } from './support/broker';
import { linesOf, warren } from './support/cli';
import { LimitedUser, createLimitedUser } from './support/limited-user';

const exact = (name: string) => `^${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`;
const noStack = (text: string) => !/\n\s+at /.test(text);

/**
 * `warren dlq replay` runs with the operator's rights, so what a parked message says about
 * itself (headers a sender wrote) must not choose where its copy goes.
 */
describe('warren CLI replay is no confused deputy (real broker)', () => {
  const inbox = unique('cli-sec.inbox'); // the sender may publish here
  const forbidden = unique('cli-sec.forbidden'); // the sender may not
  const work = unique('q.cli-sec.work');
  const dlq = `${work}.dlq`;
  const victim = unique('q.cli-sec.victim');
  let raw: RawClient;
  let sender: LimitedUser;
  let operator: LimitedUser;
  let senderConnection: amqplib.ChannelModel;
  let senderChannel: amqplib.ConfirmChannel;

  /** A message sent by the limited sender, failed by its consumer and dead-lettered by the broker into the DLQ. */
  const parkFromSender = async (options: amqplib.Options.Publish) => {
    const before = await raw.ready(dlq);
    senderChannel.publish(inbox, 'job.1', Buffer.from('{"n":1}'), { contentType: 'application/json', ...options });
    await senderChannel.waitForConfirms();
    await waitFor(async () => (await raw.ready(work)) === 1, 'the message in the work queue');
    const message = await raw.channel.get(work, { noAck: false });
    if (!message) throw new Error('no message in the work queue');
    raw.channel.nack(message, false, false);
    await waitFor(async () => (await raw.ready(dlq)) === before + 1, 'the message dead-lettered');
  };
  const park = async (headers: Record<string, unknown>, options: amqplib.Options.Publish = {}) => {
    raw.channel.sendToQueue(dlq, Buffer.from('{"n":2}'), { contentType: 'application/json', headers, ...options });
    await raw.channel.waitForConfirms();
  };

  beforeAll(async () => {
    raw = await RawClient.connect();
    await raw.channel.assertExchange(inbox, 'topic', { autoDelete: false });
    await raw.channel.assertExchange(forbidden, 'topic', { autoDelete: false });
    await raw.channel.assertQueue(work, { durable: false, arguments: { 'x-dead-letter-exchange': '', 'x-dead-letter-routing-key': dlq } });
    for (const q of [dlq, victim]) await raw.channel.assertQueue(q, { durable: false });
    await raw.channel.bindQueue(work, inbox, 'job.#');
    await raw.channel.bindQueue(victim, forbidden, '#');
    sender = await createLimitedUser({ write: exact(inbox) });
    // May read the DLQ and publish through the default exchange only.
    operator = await createLimitedUser({ read: exact(dlq), write: '^amq\\.default$' });
    senderConnection = await amqplib.connect(sender.url);
    senderChannel = await senderConnection.createConfirmChannel();
    senderChannel.on('error', () => undefined);
  });

  afterAll(async () => {
    await senderConnection?.close().catch(() => undefined);
    await sender?.remove();
    await operator?.remove();
    await raw.deleteQueues(work, victim);
    await raw.deleteExchanges(inbox, forbidden);
    await raw.close();
  });

  beforeEach(async () => {
    for (const q of [work, dlq, victim]) await raw.channel.purgeQueue(q);
  });

  it('sends a message whose headers name a forbidden exchange back to its source queue, not to that exchange', async () => {
    // The sender itself cannot publish there:
    const probe = await senderConnection.createChannel();
    const refused = new Promise<unknown>((resolve) => probe.once('error', resolve));
    probe.publish(forbidden, 'x', Buffer.from('{}'));
    expect(String(await refused)).toMatch(/ACCESS_REFUSED/);

    await parkFromSender({ messageId: 'm-forged', headers: { 'warren-original-exchange': forbidden, 'warren-original-routing-key': 'all.yours', 'warren-error': 'failed on purpose' } });
    const run = await warren(['dlq', 'replay', dlq]);
    expect([run.code, run.err]).toEqual([0, '']);
    expect(await raw.ready(victim)).toBe(0);
    const [copy, ...more] = await raw.drain(work);
    expect(more).toHaveLength(0);
    expect(copy.properties.messageId).toBe('m-forged');
    expect(copy.fields.exchange).toBe('');
    expect(await raw.ready(dlq)).toBe(0);
  });

  it('leaves a message parked whose warren-original-queue names another queue than the DLQ source', async () => {
    await park({ 'warren-original-queue': victim, 'warren-error': 'x' }, { messageId: 'm-elsewhere' });
    await park({ 'warren-original-queue': work, 'warren-error': 'x' }, { messageId: 'm-home' });
    const run = await warren(['dlq', 'replay', dlq]);
    expect(run.code).toBe(1);
    expect(run.out).toContain('Replayed 1 message(s)');
    expect(run.out).toContain(`1 name another queue than '${work}' and stay parked`);
    expect(await raw.ready(victim)).toBe(0);
    expect((await raw.drain(work)).map((m) => m.properties.messageId)).toEqual(['m-home']);
    expect((await raw.drain(dlq)).map((m) => m.properties.messageId)).toEqual(['m-elsewhere']);
  });

  it('drops CC and BCC headers, which would copy the replayed message into other queues', async () => {
    const late = unique('q.cli-sec.cc');
    await park({ CC: [late], BCC: [late], 'warren-original-queue': work });
    await raw.channel.assertQueue(late, { durable: false, autoDelete: false });
    try {
      const run = await warren(['dlq', 'replay', dlq]);
      expect(run.code).toBe(0);
      expect(await raw.ready(late)).toBe(0);
      const [copy] = await raw.drain(work);
      expect(copy.properties.headers).not.toHaveProperty('CC');
      expect(copy.properties.headers).not.toHaveProperty('BCC');
    } finally {
      await raw.channel.deleteQueue(late);
    }
  });

  it('--dry-run lists the targets and publishes nothing; --to-origin lists them first and publishes there', async () => {
    for (const key of ['job.1', 'job.1', 'job.2']) await park({ 'warren-original-exchange': inbox, 'warren-original-routing-key': key, 'warren-original-queue': work });

    const source = await warren(['dlq', 'replay', dlq, '--dry-run']);
    expect(source.code).toBe(0);
    expect(linesOf(source.out)).toContain(`  queue '${work}' (default exchange): 3 message(s)`);
    const dry = await warren(['dlq', 'replay', dlq, '--to-origin', '--dry-run']);
    expect(dry.code).toBe(0);
    expect(linesOf(dry.out)).toEqual(expect.arrayContaining([`  exchange '${inbox}', routing key 'job.1': 2 message(s)`, `  exchange '${inbox}', routing key 'job.2': 1 message(s)`]));
    expect(dry.out).toContain('Dry run: nothing was published');
    expect([await raw.ready(work), await raw.ready(dlq)]).toEqual([0, 3]);

    const run = await warren(['dlq', 'replay', dlq, '--to-origin']);
    expect(run.code).toBe(0);
    const lines = linesOf(run.out);
    expect(lines.indexOf(`  exchange '${inbox}', routing key 'job.2': 1 message(s)`)).toBeLessThan(lines.findIndex((l) => l.startsWith('Replayed 3')));
    const copies = await raw.drain(work);
    expect(copies.map((m) => [m.fields.exchange, m.fields.routingKey])).toEqual([[inbox, 'job.1'], [inbox, 'job.1'], [inbox, 'job.2']]);
    expect(await raw.ready(dlq)).toBe(0);
  });

  it("replayed copies drop the publisher's user_id, the expiration and the failure headers, and keep the message id", async () => {
    const failure = { 'warren-attempt': 5, 'warren-error': 'boom', 'warren-error-code': 'E', 'warren-first-failed-at': 'then', 'warren-dead-lettered-at': 'now', keep: 'me' };
    await parkFromSender({ messageId: 'm-user', userId: sender.user, headers: { ...failure, 'warren-original-queue': work } });
    await park({ ...failure, 'warren-original-queue': work }, { messageId: 'm-ttl', expiration: '600000' });
    const run = await warren(['dlq', 'replay', dlq]);
    expect(noStack(run.err)).toBe(true);
    expect([run.code, run.err]).toEqual([0, '']);
    const copies = await raw.drain(work);
    expect(copies.map((m) => m.properties.messageId)).toEqual(['m-user', 'm-ttl']);
    for (const copy of copies) {
      expect(copy.properties.userId).toBeUndefined();
      expect(copy.properties.expiration).toBeUndefined();
      expect(Object.keys(copy.properties.headers ?? {}).filter((h) => /^(warren-(attempt|error|first-failed|dead-lettered|original-queue)|x-death)/.test(h))).toEqual([]);
      expect(copy.properties.headers?.keep).toBe('me');
    }
  });

  it('dlq move makes the same fresh copies (no user_id, no CC)', async () => {
    const late = unique('q.cli-sec.cc-move');
    await parkFromSender({ messageId: 'm-move', userId: sender.user, headers: { CC: [late] } });
    await raw.channel.assertQueue(late, { durable: false });
    try {
      const run = await warren(['dlq', 'move', dlq, victim]);
      expect([run.code, run.err, run.out.trim()]).toEqual([0, '', `Moved 1 message(s) from ${dlq} to ${victim}`]);
      const [copy] = await raw.drain(victim);
      expect([copy.properties.messageId, copy.properties.userId, copy.properties.headers?.CC]).toEqual(['m-move', undefined, undefined]);
      expect(await raw.ready(late)).toBe(0);
    } finally {
      await raw.channel.deleteQueue(late);
    }
  });

  it('a copy the broker refuses is one line (exit 1) and stays parked; --skip-failed goes on past it', async () => {
    await park({ 'warren-original-exchange': forbidden, 'warren-original-routing-key': 'x', 'warren-original-queue': work }, { messageId: 'm-refused' });
    await park({ 'warren-original-queue': work }, { messageId: 'm-fine' });
    const env = { RABBITMQ_URL: operator.url };

    const stopped = await warren(['dlq', 'replay', dlq, '--to-origin'], { env });
    expect(stopped.code).toBe(1);
    expect(linesOf(stopped.err)).toHaveLength(1);
    expect(stopped.err).toMatch(/m-refused.*refused.*ACCESS_REFUSED.*stays parked.*--skip-failed/);
    expect([await raw.ready(dlq), await raw.ready(work)]).toEqual([2, 0]);

    const skipping = await warren(['dlq', 'replay', dlq, '--to-origin', '--skip-failed'], { env });
    expect(skipping.code).toBe(1);
    expect(linesOf(skipping.err)).toHaveLength(1);
    expect(skipping.out).toContain('Replayed 1 message(s)');
    expect(skipping.out).toContain('1 could not be replayed and stay parked');
    expect((await raw.drain(work)).map((m) => m.properties.messageId)).toEqual(['m-fine']);
    expect((await raw.drain(dlq)).map((m) => m.properties.messageId)).toEqual(['m-refused']);
  });

  it('a DLQ not named <queue>.dlq needs --source, and records are checked against it', async () => {
    const custom = unique('q.cli-sec.parking');
    await raw.channel.assertQueue(custom, { durable: false });
    try {
      raw.channel.sendToQueue(custom, Buffer.from('{}'), { messageId: 'm-custom', headers: { 'warren-original-queue': work } });
      await raw.channel.waitForConfirms();
      const usage = await warren(['dlq', 'replay', custom]);
      expect(usage.code).toBe(2);
      expect(usage.err).toMatch(/--source/);
      const run = await warren(['dlq', 'replay', custom, '--source', work]);
      expect(run.code).toBe(0);
      expect((await raw.drain(work)).map((m) => m.properties.messageId)).toEqual(['m-custom']);
    } finally {
      await raw.channel.deleteQueue(custom);
    }
  });

  it('expected broker errors are one line without a stack trace', async () => {
    const missing = unique('cli-sec.missing');
    for (const args of [['publish', missing, 'k', '{}'], ['dlq', 'purge', missing, '--yes'], ['tail', missing, '#', '--count', '1'], ['dlq', 'inspect', missing]]) {
      const run = await warren(args);
      expect([args, run.code]).toEqual([args, 1]);
      expect([args, linesOf(run.err)]).toEqual([args, [expect.stringMatching(/^warren: .*(no exchange|does not exist|no queue)/)]]);
    }
  });
});
