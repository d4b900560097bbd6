import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { RpcServerModule } from './rpc-server.module';

async function bootstrap() {
  const app = await NestFactory.createApplicationContext(RpcServerModule, { abortOnError: false });
  app.enableShutdownHooks();
  process.stdout.write('rpc-server ready\n');
}

bootstrap().catch((error: unknown) => {
  process.stderr.write(`rpc-server failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
