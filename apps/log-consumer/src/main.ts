import 'reflect-metadata';
import { Injectable, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { LogRecord, RabbitPayload, RabbitSubscribe, WarrenModule } from 'nestjs-warren';

const LOGS = 'warren.logs';

/** Reads the log channel other services ship to with WarrenLogShipper: errors apart, everything else too. */
@Injectable()
class LogReader {
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
class LogConsumerModule {}

async function bootstrap() {
  const app = await NestFactory.createApplicationContext(LogConsumerModule, { abortOnError: false });
  app.enableShutdownHooks();
  process.stdout.write('log-consumer ready\n');
}

bootstrap().catch((error: unknown) => {
  process.stderr.write(`log-consumer failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
