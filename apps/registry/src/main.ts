import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { RegistryModule } from './registry.module';

async function bootstrap() {
  const app = await NestFactory.create(RegistryModule, { abortOnError: false });
  app.enableShutdownHooks();
  await app.listen(Number(process.env.PORT ?? 3002), process.env.HOST ?? '127.0.0.1');
  process.stdout.write('registry ready\n');
}

bootstrap().catch((error: unknown) => {
  process.stderr.write(`registry failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
