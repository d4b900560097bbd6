import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { RpcServerModule } from './rpc-server.module';

/** No HTTP: the RPC handlers consume from queues, so an application context is enough. */
async function bootstrap() {
  const app = await NestFactory.createApplicationContext(RpcServerModule, { abortOnError: false });
  app.enableShutdownHooks(); // SIGTERM lets in-flight requests finish and reply before exit
  process.stdout.write('rpc-server ready\n'); // scripts/demo.js waits for this line
}

bootstrap().catch((error: unknown) => {
  process.stderr.write(`rpc-server failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
