import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { GolevelupAppModule } from './golevelup-app.module';

/** A worker written for @golevelup/nestjs-rabbitmq, running on Warren. */
async function bootstrap() {
  const app = await NestFactory.createApplicationContext(GolevelupAppModule, { abortOnError: false });
  app.enableShutdownHooks();
  process.stdout.write('golevelup-app ready\n'); // scripts/demo.js waits for this line
}

bootstrap().catch((error: unknown) => {
  process.stderr.write(`golevelup-app failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
