import { INestApplication, Injectable } from '@nestjs/common';
import { IsInt, IsString } from 'class-validator';
import { MessageProducer, RabbitSubscribe, WarrenModule } from 'nestjs-warren';
import { closeAll, startApp } from './support/app';
import { RawClient, unique, waitFor } from './support/broker';

class OrderDto {
  @IsString()
  id!: string;

  @IsInt()
  quantity!: number;
}

/**
 * A bad message is rejected without requeue (so it is never redelivered in a loop) and the
 * consumer goes on with the next one. The queue dead-letters to `dlq`, which shows that each
 * poison message was rejected (not acked, not requeued) exactly once.
 */
describe('subscriber failures (real broker)', () => {
  const queue = unique('q.orders');
  const dlq = unique('q.orders.dlq');
  const handled: OrderDto[] = [];
  const invocations: unknown[] = [];

  @Injectable()
  class OrderHandler {
    @RabbitSubscribe({ queue, queueOptions: { deadLetterExchange: '', deadLetterRoutingKey: dlq } })
    onOrder(order: OrderDto) {
      invocations.push(order);
      if (order.id === 'boom') throw new Error('handler exploded');
      handled.push(order);
    }
  }

  let app: INestApplication;
  let raw: RawClient;

  beforeAll(async () => {
    raw = await RawClient.connect();
    await raw.channel.assertQueue(dlq, { durable: false });
    app = await startApp({ imports: [WarrenModule.forRoot({ prefetch: 1, retry: false })], providers: [OrderHandler] });
  });

  afterAll(async () => {
    await closeAll(app);
    await raw.deleteQueues(queue, dlq);
    await raw.close();
  });

  beforeEach(() => {
    handled.length = 0;
    invocations.length = 0;
  });

  async function expectParked(count: number): Promise<void> {
    await waitFor(async () => (await raw.ready(dlq)) >= count, `${count} dead-lettered message(s)`);
    const parked = await raw.drain(dlq);
    expect(parked).toHaveLength(count);
    for (const message of parked) {
      const death = (message.properties.headers?.['x-death'] as unknown as Array<Record<string, unknown>>)[0];
      expect(death.reason).toBe('rejected');
      expect(death.count).toBe(1);
    }
  }

  it('rejects an invalid DTO without calling the handler, then handles the next message', async () => {
    const producer = app.get(MessageProducer);
    await producer.publish('', queue, { id: 'bad', quantity: 'many' });
    await producer.publish('', queue, { id: 'good', quantity: 2 });
    await waitFor(() => handled.length === 1, 'the good message');
    expect(handled[0]).toBeInstanceOf(OrderDto);
    expect(handled[0]).toMatchObject({ id: 'good', quantity: 2 });
    expect(invocations).toHaveLength(1);
    await expectParked(1);
  });

  it('rejects a body declared JSON that is not JSON, then handles the next message', async () => {
    await raw.publish('', queue, '{"id": "broken', { contentType: 'application/json' });
    await raw.publish('', queue, JSON.stringify({ id: 'after-malformed', quantity: 1 }), { contentType: 'application/json' });
    await waitFor(() => handled.length === 1, 'the good message');
    expect(handled[0].id).toBe('after-malformed');
    expect(invocations).toHaveLength(1);
    await expectParked(1);
  });

  it('rejects a message whose handler throws, once, then handles the next message', async () => {
    const producer = app.get(MessageProducer);
    await producer.publish('', queue, { id: 'boom', quantity: 1 });
    await producer.publish('', queue, { id: 'fine', quantity: 1 });
    await waitFor(() => handled.length === 1, 'the good message');
    expect(invocations).toHaveLength(2); // the failing one ran exactly once
    await expectParked(1);
  });

  it('leaves nothing in the queue, acked or not, after a mix of good and bad messages', async () => {
    const producer = app.get(MessageProducer);
    for (let i = 0; i < 20; i++) {
      await producer.publish('', queue, i % 4 === 0 ? { id: 'boom', quantity: i } : { id: `ok-${i}`, quantity: i });
    }
    await waitFor(() => invocations.length === 20, '20 invocations');
    expect(handled).toHaveLength(15);
    await expectParked(5);
    expect(await raw.ready(queue)).toBe(0);
  });
});
