import { Injectable, Logger } from '@nestjs/common';
import { LOG_SHIPPER_OPTIONS, LogRecord, RabbitPayload, RabbitSubscribe, WarrenLogShipper, WarrenModule } from 'nestjs-warren';
import { closeAll, startApp } from './support/app';
import { RawClient, unique, waitFor } from './support/broker';

const quiet = { log: () => undefined, error: () => undefined, warn: () => undefined, debug: () => undefined, verbose: () => undefined };

/** Log records shipped to a topic exchange without blocking, and a consumer reading them by level. */
describe('log channels (real broker)', () => {
  const exchange = unique('logs');
  const errorsQueue = unique('q.logs.errors');
  const allQueue = unique('q.logs.all');
  const errors: LogRecord[] = [];
  const all: LogRecord[] = [];

  @Injectable()
  class LogConsumer {
    @RabbitSubscribe({ exchange, routingKey: 'logs.error', queue: errorsQueue, queueOptions: { durable: false } })
    onError(@RabbitPayload() record: LogRecord) {
      errors.push(record);
    }

    @RabbitSubscribe({ exchange, routingKey: 'logs.#', queue: allQueue, queueOptions: { durable: false } })
    onAny(@RabbitPayload() record: LogRecord) {
      all.push(record);
    }
  }

  it('ships records by level; Warren\'s own lines are printed but not shipped; over the limit they are dropped and counted', async () => {
    const exchanges = [{ name: exchange, type: 'topic' as const, options: { autoDelete: true } }];
    const consumer = await startApp({ imports: [WarrenModule.forRoot({ exchanges, logger: false })], providers: [LogConsumer] });
    const service = await startApp({
      imports: [WarrenModule.forRoot({ exchanges })],
      providers: [WarrenLogShipper, { provide: LOG_SHIPPER_OPTIONS, useValue: { exchange, print: quiet } }],
    });
    try {
      const shipper = service.get(WarrenLogShipper);
      service.useLogger(shipper);
      new Logger('Orders').error('card declined', 'Error: card declined\n    at pay()');
      new Logger('Orders').log('order 7 created');
      new Logger('Warren:Consumer').warn('a Warren line');
      await waitFor(() => errors.length === 1 && all.length === 2, 'the shipped records');
      expect(errors[0]).toMatchObject({ level: 'error', message: 'card declined', context: 'Orders', stack: 'Error: card declined\n    at pay()', pid: process.pid });
      expect(all.map((r) => r.level).sort()).toEqual(['error', 'log']);
      expect(all.some((r) => r.context?.startsWith('Warren'))).toBe(false);

      const stingy = new WarrenLogShipper(service.get(WarrenLogShipper)['producer'], { exchange, maxPending: 0, print: quiet });
      stingy.error('nobody will see this', 'Orders');
      expect(stingy.droppedCount).toBe(1);
    } finally {
      await closeAll(service, consumer);
      const raw = await RawClient.connect();
      await raw.deleteQueues(errorsQueue, allQueue);
      await raw.close();
    }
  });
});
