import { INestApplication, Injectable } from '@nestjs/common';
import { execFile } from 'child_process';
import { join } from 'path';
import { promisify } from 'util';
import { BrokerConnection, RabbitSubscribe, WarrenModule, WarrenStatus } from 'nestjs-warren';
import { closeAll, startApp } from './support/app';
import { BROKER_URL, RawClient, unique, waitFor } from './support/broker';

const run = promisify(execFile);

/** 9,000 tables, one inside the other: 63 KB, inside the broker's frame, far past amqplib's stack. */
const POISON_DEPTH = 9_000;

/**
 * Builds and publishes the poison message with plain amqplib. Its recursive encoder needs a large
 * stack too, so this runs in a child process started with one (nothing here runs in Jest's process).
 */
const PUBLISHER = `
const amqplib = require('amqplib');
(async () => {
  let headers = { leaf: 'bottom' };
  for (let i = 0; i < Number(process.env.DEPTH); i++) headers = { a: headers };
  const connection = await amqplib.connect(process.env.BROKER_URL);
  const channel = await connection.createConfirmChannel();
  channel.sendToQueue(process.env.QUEUE, Buffer.from(JSON.stringify({ id: 'poison' })), { headers, contentType: 'application/json', messageId: 'poison' });
  await channel.waitForConfirms();
  await connection.close();
})().catch((error) => { console.error(error.message); process.exit(1); });
`;

async function publishPoison(queue: string): Promise<void> {
  await run(process.execPath, ['--stack-size=3900', '-e', PUBLISHER], {
    cwd: join(__dirname, '..'),
    env: { ...process.env, BROKER_URL, QUEUE: queue, DEPTH: String(POISON_DEPTH) },
    timeout: 20_000,
  });
}

/** How deep a decoded header table nests (iteratively: a poisoned one must not overflow the test). */
function depthOf(root: unknown): number {
  let max = 0;
  const stack: Array<[unknown, number]> = [[root, 0]];
  while (stack.length > 0) {
    const [value, depth] = stack.pop()!;
    if (value === null || typeof value !== 'object' || Buffer.isBuffer(value)) continue;
    max = Math.max(max, depth);
    for (const child of Object.values(value)) stack.push([child, depth + 1]);
  }
  return max;
}

/**
 * Warren issue 22: a message whose header table nests ~9,000 levels deep overflowed amqplib's
 * recursive decoder, which closed the whole connection on every redelivery; the consumer then
 * stayed detached while the status said attached. Now the frame decodes (the over-deep part
 * replaced by a marker), the message is parked as malformed, and nothing else notices.
 */
describe('poison headers: a header table nested 9,000 levels deep (real broker)', () => {
  const queue = unique('q.deep');
  const otherQueue = unique('q.deep.other');
  const connectionName = unique('deep-headers');
  const handled: string[] = [];
  const otherHandled: string[] = [];

  @Injectable()
  class Worker {
    @RabbitSubscribe({ queue, retry: { attempts: 3, initialDelayMs: 50 } })
    onTask(task: { id: string }) {
      handled.push(task.id);
    }

    @RabbitSubscribe({ queue: otherQueue })
    onOther(task: { id: string }) {
      otherHandled.push(task.id);
    }
  }

  let app: INestApplication;
  let raw: RawClient;
  let losses = 0;
  let reconnects = 0;

  beforeAll(async () => {
    raw = await RawClient.connect();
    app = await startApp({
      imports: [WarrenModule.forRoot({ connection: { name: connectionName, reconnectDelayMs: 200 } })],
      providers: [Worker],
    });
    const { manager } = app.get(BrokerConnection);
    manager.on('disconnect', () => losses++);
    manager.on('connect', () => reconnects++);
  });

  afterAll(async () => {
    await closeAll(app);
    await raw.deleteQueues(queue, otherQueue, `${queue}.retry.50ms`, `${queue}.retry.100ms`);
    await raw.close();
  });

  it('parks the poison message with its reason, handles the 5 behind it, and keeps the connection', async () => {
    const started = Date.now();
    await publishPoison(queue);
    const published = Date.now();
    const good = ['g1', 'g2', 'g3', 'g4', 'g5'];
    for (const id of good) await raw.publish('', queue, JSON.stringify({ id }), { contentType: 'application/json' });

    await waitFor(() => good.every((id) => handled.includes(id)), 'the 5 good messages behind the poison one handled', 15_000);
    await waitFor(async () => (await raw.ready(`${queue}.dlq`)) === 1, 'the poison message parked', 5_000);
    const parkMs = Date.now() - started;
    const parkedAfterPublishMs = Date.now() - published;

    const [parked] = await raw.drain(`${queue}.dlq`);
    const headers = parked.properties.headers!;
    expect(parked.properties.messageId).toBe('poison');
    expect(headers['warren-error-code']).toBe('MALFORMED_MESSAGE');
    expect(headers['warren-error']).toMatch(/headers.*deeper than 64 levels/);
    expect(headers['warren-headers-undecodable']).toMatch(/deeper than 64 levels/);
    expect(headers['warren-attempt']).toBe(1); // parked at once, not retried
    expect(depthOf(headers)).toBeLessThanOrEqual(65); // the copy holds the marker, not the deep table
    expect(handled).not.toContain('poison');

    expect(losses).toBe(0);
    expect(reconnects).toBe(0);
    expect((await raw.channel.checkQueue(queue)).consumerCount).toBe(1);
    expect(app.get(WarrenStatus).check().up).toBe(true);

    await raw.publish('', otherQueue, JSON.stringify({ id: 'o1' }), { contentType: 'application/json' });
    await waitFor(() => otherHandled.includes('o1'), 'the other queue still consumed', 5_000);
    expect((await raw.channel.checkQueue(otherQueue)).consumerCount).toBe(1);
    process.stdout.write(`poison headers: parked ${parkMs} ms after the publish began (${parkedAfterPublishMs} ms after it was confirmed)\n`);
  });

  it('a table 100 levels deep, which amqplib itself decodes, is parked the same way', async () => {
    let headers: Record<string, unknown> = { leaf: 'bottom' };
    for (let i = 0; i < 100; i++) headers = { a: headers };
    await raw.publish('', queue, JSON.stringify({ id: 'deep-100' }), { contentType: 'application/json', headers, messageId: 'deep-100' });
    await raw.publish('', queue, JSON.stringify({ id: 'g6' }), { contentType: 'application/json' });
    await waitFor(() => handled.includes('g6'), 'the good message behind it', 5_000);
    await waitFor(async () => (await raw.ready(`${queue}.dlq`)) === 1, 'the deep message parked', 5_000);
    const [parked] = await raw.drain(`${queue}.dlq`);
    expect(parked.properties.messageId).toBe('deep-100');
    expect(parked.properties.headers!['warren-error']).toMatch(/headers could not be decoded: header tables nested deeper than 64 levels \(Warren accepts at most 64\)/);
    expect(parked.properties.headers!['warren-headers-dropped']).toMatch(/nests deeper than 64 levels/); // its copy keeps only Warren's headers
    expect(handled).not.toContain('deep-100');
    expect(losses).toBe(0);
  });
});
