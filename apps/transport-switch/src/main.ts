import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import type { MicroserviceOptions } from '@nestjs/microservices';
import { MathServiceModule } from './math-service.module';
import { serverOptions, transportName } from './transport';

/** The math service as a Nest microservice; `TRANSPORT=tcp` runs the very same code over TCP. */
async function bootstrap() {
  const transport = transportName();
  const app = await NestFactory.createMicroservice<MicroserviceOptions>(MathServiceModule, serverOptions(transport));
  app.enableShutdownHooks();
  await app.listen();
  process.stdout.write(`math-service ready (${transport})\n`);
}

bootstrap().catch((error: unknown) => {
  process.stderr.write(`math-service failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
