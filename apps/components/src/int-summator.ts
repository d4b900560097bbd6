import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { IntSummatorModule } from './int-summator.component';

async function bootstrap() {
  const app = await NestFactory.createApplicationContext(IntSummatorModule, { abortOnError: false });
  app.enableShutdownHooks();
  process.stdout.write('int-summator ready\n');
}

bootstrap().catch((error: unknown) => {
  process.stderr.write(`int-summator failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
