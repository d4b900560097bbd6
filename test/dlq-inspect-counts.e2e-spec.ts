import { INestApplication, Injectable } from '@nestjs/common';
import { RabbitSubscribe, WarrenModule } from 'nestjs-warren';
import { closeAll, startApp } from './support/app';
import { RawClient, unique, waitFor } from './support/broker';
import { warren } from './support/cli';

/**
 * `warren dlq inspect` reads parked messages and puts them back: a quorum `.dlq` must never drop one
 * however often it is inspected. It gives them back with `basic.nack`, which RabbitMQ 4.3 does not
 * count; 4.0–4.2 count every read, and there Warren's `.dlq` has no limit (`x-delivery-limit: -1`)
 * where 4.0's default would drop a message at its 21st read. Needs `npm run build` (it runs the CLI).
 */
describe('warren dlq inspect on a quorum dead-letter queue (real broker)', () => {
  const queue = unique('q.inspect.counts');
  const dlq = `${queue}.dlq`;
  let raw: RawClient;
  let app: INestApplication | undefined;

  @Injectable()
  class Failing {
    @RabbitSubscribe({ queue, queueType: 'quorum', retry: false })
    on() {
      throw new Error('parked for inspection');
    }
  }

  beforeAll(async () => {
    raw = await RawClient.connect();
    app = await startApp({ imports: [WarrenModule.forRoot({ logger: false })], providers: [Failing] });
  });

  afterAll(async () => {
    await closeAll(app);
    await raw.deleteQueues(queue);
    await raw.close();
  });

  it('keeps the parked message through more inspections than 4.0 allows a quorum queue by default, raising no count on 4.3', async () => {
    await raw.publish('', queue, JSON.stringify({ id: 'looked-at' }), { contentType: 'application/json', messageId: 'inspected-1' });
    await waitFor(async () => (await raw.ready(dlq)) === 1, 'the message parked');
    const version = String(raw.connection.connection.serverProperties.version);
    const [major, minor] = version.split('.').map(Number);
    const nackCounts = major < 4 || (major === 4 && minor < 3);
    const INSPECTIONS = 21;
    for (let i = 0; i < INSPECTIONS; i++) {
      const run = await warren(['dlq', 'inspect', dlq, '--limit', '1']);
      expect(run.code).toBe(0);
      expect(run.out).toContain('inspected-1');
      // 4.0–4.2 are told that reads count there.
      expect(run.err.includes('counts each read')).toBe(major === 4 && minor < 3);
    }
    const [parked] = await raw.drain(dlq);
    expect(parked.properties.messageId).toBe('inspected-1');
    const count = parked.properties.headers?.['x-delivery-count'];
    // 3.x reports 0 on a basic.get of a never-returned message; 4.x leaves the header out.
    if (nackCounts) expect(count).toBe(INSPECTIONS);
    else expect(count ?? 0).toBe(0);
  }, 60_000);
});
