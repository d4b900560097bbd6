import { Injectable, Module } from '@nestjs/common';
import { LogRecord, RabbitPayload, RabbitSubscribe, WarrenModule } from 'nestjs-warren';

export const LOGS = 'warren.logs';

/** Reads the log channel other services ship to with WarrenLogShipper: errors apart, everything else too. */
@Injectable()
export class LogReader {
  @RabbitSubscribe({ exchange: LOGS, routingKey: 'logs.error', queue: 'warren.demo.log-errors' })
  onError(@RabbitPayload() record: LogRecord) {
    process.stdout.write(`ERROR ${record.context ?? '-'} pid ${record.pid}: ${record.message}\n`);
  }

  @RabbitSubscribe({ exchange: LOGS, routingKey: 'logs.#', queue: 'warren.demo.log-all', retry: false })
  onAny(@RabbitPayload() record: LogRecord) {
    process.stdout.write(`${record.level.toUpperCase()} ${record.context ?? '-'}: ${record.message}\n`);
  }
}

@Module({ imports: [WarrenModule.forRoot({ exchanges: [{ name: LOGS, type: 'topic' }], connection: { name: 'log-consumer' } })], providers: [LogReader] })
export class LogConsumerModule {}
