// The clean-install check's app, as `nest new` makes one (TypeScript; CommonJS on Nest 11, ESM on
// Nest 12), with Warren from the packed tarball. It declares only what such an app declares (no
// amqplib): run.js removes the durable queues it leaves, with the repository's own amqplib.
import 'reflect-metadata';
import { execFile } from 'child_process';
import { join } from 'path';
import * as common from '@nestjs/common';
import { Controller, Get, Injectable, Module, PipeTransform, UseFilters } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ClientProxy, ClientsModule, MessagePattern, MicroserviceOptions, Payload } from '@nestjs/microservices';
import { HealthCheck, HealthCheckService, TerminusModule } from '@nestjs/terminus';
import { IsInt } from 'class-validator';
import { MessageProducer, MessageValidationError, RabbitPayload, RabbitRPC, RabbitSubscribe, RemoteError, RpcClient, StandardSchemaIssue, WarrenModule } from 'nestjs-warren';
import { WarrenClient, WarrenRpcExceptionFilter, WarrenServer } from 'nestjs-warren/microservices';
import { z } from 'zod';
import { WarrenHealthIndicator, WarrenHealthModule } from 'nestjs-warren/health';
import { lastValueFrom } from 'rxjs';

const run = process.env.RUN_ID ?? String(process.pid);
process.stdout.write(`running on node ${process.version}\n`);
const exchange = `clean-install.${run}`;
const results: string[] = [];
const check = (ok: boolean, what: string) => {
  results.push(`${ok ? 'PASS' : 'FAIL'} ${what}`);
  process.stdout.write(`${ok ? 'PASS' : 'FAIL'} ${what}\n`);
};

class SumDto {
  @IsInt() a!: number;
  @IsInt() b!: number;
}

const received: string[] = [];

@Injectable()
class Handlers {
  @RabbitSubscribe({ exchange, routingKey: 'order.created', queue: `${exchange}.orders`, queueOptions: { durable: false, autoDelete: true } })
  onOrder(@RabbitPayload() order: { id: string }) {
    received.push(order.id);
  }

  @RabbitRPC({ exchange, routingKey: 'math.sum', queue: `${exchange}.math`, queueOptions: { durable: false, autoDelete: true } })
  sum(@RabbitPayload() { a, b }: SumDto) {
    return { sum: a + b };
  }

  // Warren's own Standard Schema validation: the handler gets the schema's output.
  @RabbitRPC({ exchange, routingKey: 'text.shout', queue: `${exchange}.math`, queueOptions: { durable: false, autoDelete: true }, schema: z.object({ text: z.string().transform((t) => t.toUpperCase()) }) })
  shout(@RabbitPayload() { text }: { text: string }) {
    return text;
  }
}

/**
 * On the transport, Nest 12's own semantics: `@Payload({ schema })` only annotates the parameter and
 * Nest's StandardSchemaValidationPipe validates it; its exceptionFactory makes a Warren validation error,
 * which WarrenRpcExceptionFilter lets through to the caller as VALIDATION_FAILED. Nest 11 has no such pipe.
 */
const SchemaPipe = (common as unknown as {
  StandardSchemaValidationPipe?: new (options: { exceptionFactory(issues: readonly StandardSchemaIssue[]): unknown }) => PipeTransform;
}).StandardSchemaValidationPipe;
const nest12 = SchemaPipe !== undefined;
const schemaPipes: PipeTransform[] = SchemaPipe ? [new SchemaPipe({ exceptionFactory: (issues) => MessageValidationError.fromIssues(issues) })] : [];
const schemaPayload = (options: { schema: unknown; pipes: PipeTransform[] }) => Payload(options as never);

@Controller()
class Health {
  constructor(private readonly health: HealthCheckService, private readonly warren: WarrenHealthIndicator) {}
  @Get('health') @HealthCheck() check() {
    return this.health.check([() => this.warren.isHealthy()]);
  }
}

@Controller()
class MathPatterns {
  @MessagePattern('math.double')
  double(@Payload() n: number) {
    return n * 2;
  }

  @MessagePattern('math.half')
  @UseFilters(new WarrenRpcExceptionFilter())
  half(@schemaPayload({ schema: z.number(), pipes: schemaPipes }) n: number) {
    return n / 2;
  }
}

@Module({
  imports: [
    WarrenModule.forRoot({ exchanges: [{ name: exchange, type: 'topic', options: { autoDelete: true } }], logger: false }),
    TerminusModule,
    WarrenHealthModule,
    ClientsModule.register([{ name: 'MATH', customClass: WarrenClient, options: { exchange: `${exchange}.ms`, logger: false } }]),
  ],
  providers: [Handlers],
  controllers: [Health, MathPatterns],
})
class AppModule {}

/** The installed `warren` bin (its own dependencies included) publishing one message to the app. */
function cliPublish(routingKey: string, body: object): Promise<{ code: number; output: string }> {
  const bin = join(process.cwd(), 'node_modules', '.bin', 'warren');
  return new Promise((resolve) => {
    execFile(bin, ['publish', exchange, routingKey, JSON.stringify(body)], { timeout: 20_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? Number((error as NodeJS.ErrnoException).code ?? 1) || 1 : 0, output: `${stdout}${stderr}`.trim() });
    });
  });
}

async function until(condition: () => boolean, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (condition()) return true;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return condition();
}

async function main() {
  const app = await NestFactory.create(AppModule, { logger: false });
  app.connectMicroservice<MicroserviceOptions>({ strategy: new WarrenServer({ exchange: `${exchange}.ms`, queue: `${exchange}.ms.q`, logger: false }) });
  await app.startAllMicroservices();
  await app.listen(0, '127.0.0.1');
  try {
    await app.get(MessageProducer).publish(exchange, 'order.created', { id: 'o-1' });
    check(await until(() => received.includes('o-1'), 5000), 'a subscriber received a published event');
    const rpc = app.get(RpcClient);
    check((await rpc.request<{ sum: number }>(exchange, 'math.sum', { a: 2, b: 40 })).sum === 42, 'an RPC with a DTO answered');
    const refused = await rpc.request(exchange, 'math.sum', { a: 1.5, b: 2 }).catch((e: unknown) => e);
    check(refused instanceof RemoteError && refused.code === 'VALIDATION_FAILED', 'an invalid DTO came back as RemoteError VALIDATION_FAILED');
    const client = app.get<ClientProxy>('MATH');
    check((await lastValueFrom(client.send('math.double', 21))) === 42, 'the microservices transport answered a @MessagePattern');
    check((await rpc.request(exchange, 'text.shout', { text: 'ada' })) === 'ADA', "a handler's zod schema gave the handler its output");
    const invalid = await rpc.request(exchange, 'text.shout', { text: 5 }).catch((e: unknown) => e);
    check(invalid instanceof RemoteError && invalid.code === 'VALIDATION_FAILED', "a handler's zod schema refused an invalid request with VALIDATION_FAILED");
    if (nest12) {
      check((await lastValueFrom(client.send('math.half', 42))) === 21, "@Payload({ schema }) with Nest's StandardSchemaValidationPipe let a valid payload through");
      const refusedPayload = await lastValueFrom(client.send('math.half', 'x')).catch((e: unknown) => e);
      check(refusedPayload instanceof RemoteError && refusedPayload.code === 'VALIDATION_FAILED', '@Payload({ schema }) refused an invalid payload: the caller got VALIDATION_FAILED');
    }
    const health = await fetch(`${await app.getUrl()}/health`);
    check(health.status === 200, 'the terminus health indicator says up');
    const cli = await cliPublish('order.created', { id: 'o-cli' });
    check(cli.code === 0 && (await until(() => received.includes('o-cli'), 5000)), `the warren bin published to a subscriber (exit ${cli.code}${cli.code ? `: ${cli.output}` : ''})`);
  } finally {
    const closed = await app.close().then(() => true, () => false);
    check(closed, 'the app closed gracefully');
  }
  process.exitCode = results.every((r) => r.startsWith('PASS')) && results.length === (nest12 ? 11 : 9) ? 0 : 1;
}

main().catch((error: unknown) => {
  process.stdout.write(`FAIL scenario crashed: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exitCode = 1;
});
