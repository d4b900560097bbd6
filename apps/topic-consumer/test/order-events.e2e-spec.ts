import { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { MessageProducer } from 'nestjs-warren';
import { WarrenFaults, WarrenTestHarness } from 'nestjs-warren/testing';
import { orderCreated } from '../../shared/contracts';
import { TopicConsumerModule } from '../src/topic-consumer.module';

/**
 * The end-to-end test a user keeps beside the unit tests: the same module on the real RabbitMQ,
 * with the fault kit dropping the service's connection mid-test.
 */
describe('topic-consumer (RabbitMQ, with a dropped connection)', () => {
  const faults = new WarrenFaults();
  let app: INestApplication;
  let stdout: jest.SpyInstance;

  beforeAll(async () => {
    stdout = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
    const moduleRef = await Test.createTestingModule({ imports: [TopicConsumerModule], providers: [WarrenTestHarness] }).compile();
    app = moduleRef.createNestApplication({ logger: false });
    await app.init();
  });

  afterAll(async () => {
    await app.close();
    await faults.restore();
    stdout.mockRestore();
  });

  it('keeps consuming after RabbitMQ force-closes its connection', async () => {
    const harness = app.get(WarrenTestHarness);
    const id = `e2e-${Date.now()}`;
    expect(await faults.closeConnections('topic-consumer', 'sample e2e test')).toBeGreaterThanOrEqual(1);
    await app.get(MessageProducer).publish(orderCreated, { id, amount: 1 });
    const ours = (record: { body: unknown }) => (record.body as { id?: string }).id === id;
    const call = await harness.waitForConsumed({ handler: 'OrderEventsHandler.onOrderEvent', where: ours }, { timeoutMs: 15_000 });
    expect(call).toMatchObject({ outcome: 'acked', body: { id, amount: 1 } });
  });
});
