import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { LogConsumerModule } from './log-reader';

async function bootstrap() {
  const app = await NestFactory.createApplicationContext(LogConsumerModule, { abortOnError: false });
  app.enableShutdownHooks();
  process.stdout.write('log-consumer ready\n');
}

bootstrap().catch((error: unknown) => {
  process.stderr.write(`log-consumer failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
