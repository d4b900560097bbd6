import { Injectable, INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { IsInt } from 'class-validator';
import { MessageProducer, MessageValidationError, RabbitRPC, RabbitSubscribe, RpcClient } from 'nestjs-warren';
import { MemoryBroker, WarrenTestHarness, WarrenTestingModule } from 'nestjs-warren/testing';

class OrderDto {
  @IsInt()
  id!: number;
}

@Injectable()
class Orders {
  attempts = new Map<number, number>();

  @RabbitSubscribe({ exchange: 'shop', routingKey: 'order.created', queue: 'billing', retry: { attempts: 3, initialDelayMs: 60_000, multiplier: 2 } })
  bill(order: OrderDto) {
    const attempt = (this.attempts.get(order.id) ?? 0) + 1;
    this.attempts.set(order.id, attempt);
    if (order.id === 13) throw new Error('unlucky order');
    if (attempt < 3) throw new Error(`flaky ${attempt}`);
  }

  @RabbitRPC({ exchange: 'shop', routingKey: 'price.get', queue: 'prices' })
  price(request: { sku: string }) {
    return { sku: request.sku, cents: 499 };
  }
}

async function start(broker?: MemoryBroker): Promise<INestApplication> {
  const moduleRef = await Test.createTestingModule({
    imports: [WarrenTestingModule.forRoot({ broker, logger: false, exchanges: [{ name: 'shop', type: 'topic' }], connection: { reconnectDelayMs: 50 } })],
    providers: [Orders],
  }).compile();
  const app = moduleRef.createNestApplication({ logger: false });
  await app.init();
  return app;
}

/** nestjs-warren/testing's in-memory broker and harness, as a user's unit tests use them. */
describe('WarrenTestingModule (in memory)', () => {
  let app: INestApplication;
  let harness: WarrenTestHarness;

  beforeEach(async () => {
    app = await start();
    harness = app.get(WarrenTestHarness);
  });

  afterEach(async () => {
    jest.useRealTimers();
    await app.close();
  });

  it('skips minute-long retry delays with jest fake timers, then parks with the reason', async () => {
    jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'] });
    const producer = app.get(MessageProducer);
    await producer.publish('shop', 'order.created', { id: 7 });
    await producer.publish('shop', 'order.created', { id: 13 });
    // Attempt 1 of each fails at once; the retries wait 60 s and 120 s in delay queues.
    await harness.spy(Orders, 'bill').waitForCalls(2);
    for (const step of [60_000, 120_000]) {
      const before = harness.spy(Orders, 'bill').calls().length;
      await jest.advanceTimersByTimeAsync(step);
      await harness.spy(Orders, 'bill').waitForCalls(before + 2);
    }
    const handled = await harness.waitForConsumed({ handler: 'Orders.bill', outcome: 'acked' });
    expect(handled.body).toEqual({ id: 7 });
    const parked = await harness.waitForDeadLettered({ handler: 'Orders.bill' });
    expect(parked.body).toEqual({ id: 13 });
    expect(String(parked.error)).toContain('unlucky order');
    expect(app.get(Orders).attempts).toEqual(new Map([[7, 3], [13, 3]]));
    const broker = app.get(MemoryBroker);
    const [dead] = broker.peek('billing.dlq');
    expect(dead.properties.headers).toMatchObject({ 'warren-attempt': 3, 'warren-error': expect.stringContaining('unlucky order') });
    expect(broker.messageCount('billing')).toBe(0);
  });

  it('parks an invalid payload at once with a MessageValidationError, and records publishes', async () => {
    await app.get(MessageProducer).publish('shop', 'order.created', { id: 'not a number' });
    const parked = await harness.waitForDeadLettered({ routingKey: 'order.created' });
    expect(parked.error).toBeInstanceOf(MessageValidationError);
    expect(harness.published({ exchange: 'shop' })).toEqual([expect.objectContaining({ routingKey: 'order.created', confirmed: true, message: { id: 'not a number' } })]);
  });

  it('answers RPC across two apps sharing one broker, and reports an unroutable request at once', async () => {
    const broker = app.get(MemoryBroker);
    const client = await start(broker);
    try {
      expect(await client.get(RpcClient).request('shop', 'price.get', { sku: 'A1' })).toEqual({ sku: 'A1', cents: 499 });
      await expect(client.get(RpcClient).request('shop', 'nobody.listens', {})).rejects.toMatchObject({ name: 'UnroutableMessageError' });
    } finally {
      await client.close();
    }
  });

  it('recovers from a forced connection close: the consumer comes back and messages flow again', async () => {
    const broker = app.get(MemoryBroker);
    expect(broker.closeConnections('warren')).toBe(2); // the connection and its publishing connection
    await app.get(MessageProducer).publish('shop', 'order.created', { id: 42 });
    const calls = await harness.spy(Orders, 'bill').waitForCalls(1);
    expect(calls[0].body).toEqual({ id: 42 });
  });

  it("times out a waiting assertion with what it saw instead", async () => {
    await app.get(MessageProducer).publish('shop', 'order.created', { id: 1 });
    await harness.spy(Orders, 'bill').waitForCalls(1);
    await expect(harness.waitForConsumed({ routingKey: 'order.cancelled' }, { timeoutMs: 100 })).rejects.toThrow(/Timed out after 100 ms waiting for a delivery matching \{ routingKey=order.cancelled \}; saw billing order.created/);
  });
});
