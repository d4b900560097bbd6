import { INestApplication, Injectable } from '@nestjs/common';
import type { ConsumeMessage } from 'amqplib';
import { MessageProducer, RabbitRequest, RabbitSubscribe, WarrenConsumers, WarrenModule } from 'nestjs-warren';
import { closeAll, startApp } from './support/app';
import { RawClient, unique, waitFor } from './support/broker';
import { management } from './support/target';

/** The client-given names of the target broker's connections (its management API, WARREN_MANAGEMENT_URL). */
async function connectionNames(): Promise<string[]> {
  const rows = (await management('GET', '/connections?columns=client_properties.connection_name')) as Array<{ client_properties?: { connection_name?: string } }>;
  return rows.map((row) => row.client_properties?.connection_name ?? '');
}

/**
 * Cost as the work grows: 5,000 subscriber queues in one app. Every queue has a channel of its own;
 * past `connection.maxConsumerChannels` (1,000) Warren opens further connections instead of failing
 * with "No channels left to allocate" at RabbitMQ's channel_max (2,047).
 */
describe('5,000 subscriber queues in one app (real broker)', () => {
  const count = 5_000;
  const prefix = unique('q.many');
  const name = unique('many');
  const handled = new Set<string>();
  let app: INestApplication | undefined;

  @Injectable()
  class Fan {
    @RabbitSubscribe({ name: 'fan' })
    on(@RabbitRequest() message: ConsumeMessage) {
      handled.add(message.fields.routingKey);
    }
  }

  afterAll(() => closeAll(app));

  it('starts, takes one message on each queue, and closes cleanly', async () => {
    const queues = Array.from({ length: count }, (_, i) => `${prefix}.${i}`);
    const startedAt = Date.now();
    app = await startApp({
      imports: [
        WarrenModule.forRoot({
          logger: false,
          connection: { name },
          // 5,000 publishes go out at once below; on a loaded CI machine their confirms can take longer than the 10 s default.
          publish: { timeoutMs: 60_000 },
          handlers: { fan: queues.map((queue) => ({ queue, retry: false, deadLetterQueue: false, prefetch: 1, queueOptions: { autoDelete: true } })) },
        }),
      ],
      providers: [Fan],
    });
    const startMs = Date.now() - startedAt;
    const consumers = app.get(WarrenConsumers).list();
    expect(consumers).toHaveLength(count);
    expect(consumers.every((consumer) => consumer.attached)).toBe(true);
    // Consumers on five connections; publishing on a connection of its own. The management API lists a
    // new connection only once the broker has emitted its stats (a few seconds on 4.x), so wait for it.
    const expected = [name, `${name}.2`, `${name}.3`, `${name}.4`, `${name}.5`, `${name}.publish`].sort();
    let connections: string[] = [];
    await waitFor(async () => {
      connections = (await connectionNames()).filter((line) => line === name || line.startsWith(`${name}.`)).sort();
      return connections.length >= expected.length;
    }, 'the management API to list the connections', 30_000);
    expect(connections).toEqual(expected);

    const producer = app.get(MessageProducer);
    const publishedAt = Date.now();
    await Promise.all(queues.map((queue) => producer.publish('', queue, { queue })));
    await waitFor(() => handled.size === count, `a message handled on each of ${count} queues`, 60_000);
    const roundMs = Date.now() - publishedAt;
    const rssMb = Math.round(process.memoryUsage().rss / 2 ** 20);

    const closingAt = Date.now();
    await app.close();
    app = undefined;
    const closeMs = Date.now() - closingAt;
    process.stderr.write(`many queues: ${count} queues started in ${startMs} ms on ${connections.length} connections, one message each in ${roundMs} ms, closed in ${closeMs} ms, RSS ${rssMb} MiB\n`);
    const raw = await RawClient.connect();
    try {
      expect(await raw.queueExists(queues[0])).toBe(false); // auto-delete: gone with its consumer
      expect(await raw.queueExists(queues[count - 1])).toBe(false);
    } finally {
      await raw.close();
    }
  }, 180_000);
});
