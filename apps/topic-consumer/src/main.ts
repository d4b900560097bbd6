import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { TopicConsumerModule } from './topic-consumer.module';

/** A worker with no HTTP server: an application context is enough to consume. */
async function bootstrap() {
  const app = await NestFactory.createApplicationContext(TopicConsumerModule, { abortOnError: false });
  app.enableShutdownHooks(); // SIGTERM drains in-flight messages before exit
  process.stdout.write('topic-consumer ready\n'); // scripts/demo.js waits for this line
}

bootstrap().catch((error: unknown) => {
  process.stderr.write(`topic-consumer failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
