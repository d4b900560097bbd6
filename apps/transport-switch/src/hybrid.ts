import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { MathHybridModule } from './math-service.module';
import { serverOptions, transportName } from './transport';

/** HTTP beside AMQP: one Nest app serving `POST /math/multiply` and the `math.multiply` pattern. */
async function bootstrap() {
  const app = await NestFactory.create(MathHybridModule);
  app.connectMicroservice(serverOptions(transportName()), { inheritAppConfig: true });
  app.enableShutdownHooks();
  await app.startAllMicroservices();
  await app.listen(Number(process.env.PORT ?? 3001), process.env.HOST ?? '127.0.0.1');
  process.stdout.write('math-hybrid ready\n');
}

bootstrap().catch((error: unknown) => {
  process.stderr.write(`math-hybrid failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
