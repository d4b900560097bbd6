import { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { LogRecord, MessageProducer } from 'nestjs-warren';
import { WarrenTestHarness, WarrenTestingModule } from 'nestjs-warren/testing';
import { LOGS, LogConsumerModule, LogReader } from '../src/log-reader';

/** The log channel's reader on the in-memory broker: errors reach both handlers, other levels one. */
describe('log-consumer (in memory)', () => {
  let app: INestApplication;
  let stdout: jest.SpyInstance;
  const record = (level: LogRecord['level'], message: string): LogRecord => ({ level, message, context: 'Orders', at: new Date(0).toISOString(), pid: 42 });

  beforeAll(async () => {
    stdout = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
    const moduleRef = await Test.createTestingModule({ imports: [LogConsumerModule, WarrenTestingModule.inMemory()] }).compile();
    app = moduleRef.createNestApplication({ logger: false });
    await app.init();
  });

  afterAll(async () => {
    await app.close();
    stdout.mockRestore();
  });

  it('prints an error record from logs.error in both readers, and a warning only in the catch-all', async () => {
    const producer = app.get(MessageProducer);
    await producer.publish(LOGS, 'logs.error', record('error', 'payment failed'));
    await producer.publish(LOGS, 'logs.warn', record('warn', 'slow payment'));
    const harness = app.get(WarrenTestHarness);
    await harness.spy(LogReader, 'onAny').waitForCalls(2);
    const errors = await harness.spy(LogReader, 'onError').waitForCalls(1);
    expect(errors.map((call) => call.routingKey)).toEqual(['logs.error']);
    expect(stdout).toHaveBeenCalledWith('ERROR Orders pid 42: payment failed\n');
    expect(stdout).toHaveBeenCalledWith('WARN Orders: slow payment\n');
  });
});
