import { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { MessageProducer, MessageValidationError } from 'nestjs-warren';
import { WarrenTestHarness, WarrenTestingModule } from 'nestjs-warren/testing';
import { ORDERS_EXCHANGE, QUEUES, orderCreated, paymentFailed } from '../../shared/contracts';
import { OrderEventsHandler } from '../src/order-events.handler';
import { TopicConsumerModule } from '../src/topic-consumer.module';

/**
 * A unit test of the topic consumer as a user writes one: the app's own module, unchanged, on
 * Warren's in-memory broker (no RabbitMQ needed), observed through the test harness.
 */
describe('topic-consumer (in memory)', () => {
  let app: INestApplication;
  let harness: WarrenTestHarness;
  let stdout: jest.SpyInstance;

  beforeEach(async () => {
    // The handler prints one line per event for the demo script; keep the test output clean.
    stdout = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
    const moduleRef = await Test.createTestingModule({ imports: [TopicConsumerModule, WarrenTestingModule.inMemory()] }).compile();
    app = moduleRef.createNestApplication({ logger: false });
    await app.init();
    harness = app.get(WarrenTestHarness);
  });

  afterEach(async () => {
    await app.close();
    stdout.mockRestore();
  });

  it('routes order.* to the events handler and order.#.failed to the failures handler', async () => {
    const producer = app.get(MessageProducer);
    await producer.publish(orderCreated, { id: 'o-1', amount: 12.5 });
    await producer.publish(paymentFailed, { id: 'o-2', amount: 0, reason: 'card declined' });

    const events = await harness.spy(OrderEventsHandler, 'onOrderEvent').waitForCalls(1);
    const failures = await harness.spy(OrderEventsHandler, 'onOrderFailure').waitForCalls(1);
    expect(events.map((call) => call.body)).toEqual([{ id: 'o-1', amount: 12.5 }]);
    expect(failures.map((call) => [call.routingKey, call.body])).toEqual([['order.eu.payment.failed', { id: 'o-2', amount: 0, reason: 'card declined' }]]);
    expect(stdout).toHaveBeenCalledWith(`EVENT ${QUEUES.orderEvents} order.created o-1\n`);
  });

  it('parks an invalid event in the dead-letter queue with a validation error, without retrying it', async () => {
    await app.get(MessageProducer).publish(ORDERS_EXCHANGE, 'order.created', { id: '', amount: -1 });
    const parked = await harness.waitForDeadLettered({ queue: QUEUES.orderEvents });
    expect(parked.error).toBeInstanceOf(MessageValidationError);
    expect(harness.consumed({ queue: QUEUES.orderEvents })).toHaveLength(1);
  });
});
