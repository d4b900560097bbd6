import 'reflect-metadata';
import { Logger, ValidationPipe } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { GatewayModule } from './gateway.module';

async function bootstrap() {
  const app = await NestFactory.create(GatewayModule, { abortOnError: false });
  // Validates the bodies typed with DTOs (POST /orders) before anything is published.
  app.useGlobalPipes(new ValidationPipe({ transform: true }));
  app.enableShutdownHooks(); // SIGTERM: stop HTTP, flush unconfirmed publishes, close the connection
  const port = Number(process.env.PORT ?? 3000);
  // Loopback unless told otherwise; docker-compose sets HOST=0.0.0.0.
  const host = process.env.HOST ?? '127.0.0.1';
  await app.listen(port, host);
  new Logger('Gateway').log(`Listening on http://${host}:${port}`);
  process.stdout.write('gateway ready\n'); // scripts/demo.js waits for this line
}

bootstrap().catch((error: unknown) => {
  process.stderr.write(`gateway failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
