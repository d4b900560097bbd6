import { INestApplication, Injectable } from '@nestjs/common';
import { IsInt, IsString } from 'class-validator';
import { RabbitSubscribe, RpcClient, UnroutableMessageError, WarrenModule } from 'nestjs-warren';
import { closeAll, startApp } from './support/app';
import { RawClient, unique, waitFor } from './support/broker';

class TaskDto {
  @IsString()
  id!: string;

  @IsInt()
  weight!: number;
}

/**
 * Chaos 4: six kinds of poison. Each ends parked in the dead-letter queue (with its reason) or as
 * an immediate error for the caller; none loops; the consumer handles the good message after it.
 */
describe('chaos: poison messages (real broker)', () => {
  const exchange = unique('poison');
  const queue = unique('q.poison');
  const handled: string[] = [];
  const runs: Record<string, number> = {};

  @Injectable()
  class Worker {
    @RabbitSubscribe({ exchange, routingKey: 'task', queue, retry: { attempts: 3, initialDelayMs: 50 } })
    onTask(task: TaskDto) {
      runs[task.id] = (runs[task.id] ?? 0) + 1;
      if (task.id === 'explodes') throw new Error('always fails');
      handled.push(task.id);
    }
  }

  let app: INestApplication;
  let raw: RawClient;

  beforeAll(async () => {
    raw = await RawClient.connect();
    app = await startApp({
      imports: [WarrenModule.forRoot({ exchanges: [{ name: exchange, options: { autoDelete: true } }], maxMessageBytes: 4_096, rpc: { timeoutMs: 5_000 } })],
      providers: [Worker],
    });
  });

  afterAll(async () => {
    await closeAll(app);
    await raw.deleteQueues(queue, `${queue}.dlq`, `${queue}.retry.50ms`, `${queue}.retry.100ms`);
    await raw.close();
  });

  const json = (value: unknown) => ({ body: JSON.stringify(value), contentType: 'application/json' });
  const cases: Array<[string, { body: string | Buffer; contentType?: string }, string]> = [
    ['invalid JSON', { body: '{"id": "x", "weight": ', contentType: 'application/json' }, 'MALFORMED_MESSAGE'],
    ['wrong content type', { body: Buffer.from(JSON.stringify({ id: 'bin', weight: 1 })), contentType: 'application/octet-stream' }, 'VALIDATION_FAILED'],
    ['invalid DTO', json({ id: 'dto', weight: 'heavy' }), 'VALIDATION_FAILED'],
    ['always-throwing handler', json({ id: 'explodes', weight: 1 }), 'Error'],
    ['oversize body', json({ id: 'big', weight: 1, pad: 'x'.repeat(5_000) }), 'MESSAGE_TOO_LARGE'],
  ];

  it.each(cases)('%s: parked in the dead-letter queue, no loop, next message handled', async (name, poison, code) => {
    const good = `good-after-${name.replace(/\W/g, '-')}`;
    await raw.publish(exchange, 'task', poison.body, { contentType: poison.contentType });
    await raw.publish(exchange, 'task', JSON.stringify({ id: good, weight: 1 }), { contentType: 'application/json' });
    await waitFor(() => handled.includes(good), 'the good message');
    await waitFor(async () => (await raw.ready(`${queue}.dlq`)) === 1, 'the poison message parked');
    const [parked] = await raw.drain(`${queue}.dlq`);
    expect(parked.properties.headers!['warren-error-code']).toBe(code);
    // An over-size body is left out of its record (its size is in a header); the others are copied whole.
    const expected = code === 'MESSAGE_TOO_LARGE' ? Buffer.alloc(0) : Buffer.isBuffer(poison.body) ? poison.body : Buffer.from(poison.body);
    expect(Buffer.compare(parked.content, expected)).toBe(0);
    if (code === 'MESSAGE_TOO_LARGE') expect(parked.properties.headers!['warren-body-bytes']).toBe(Buffer.byteLength(poison.body));
    if (name === 'always-throwing handler') expect(runs.explodes).toBe(3); // the configured attempts, not one more
    expect(await raw.ready(queue)).toBe(0);
  });

  it('unknown RPC routing key: the caller gets UnroutableMessageError at once', async () => {
    const started = Date.now();
    const error = await app.get(RpcClient).request(exchange, 'no.such.method', {}).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnroutableMessageError);
    expect(Date.now() - started).toBeLessThan(1_000);
  });
});
