// The Nest 12 job's app, as `nest new` makes one (ESM, TypeScript), with Warren from the packed tarball.
import 'reflect-metadata';
import { Controller, Get, Injectable, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ClientProxy, ClientsModule, MessagePattern, MicroserviceOptions, Payload } from '@nestjs/microservices';
import { HealthCheck, HealthCheckService, TerminusModule } from '@nestjs/terminus';
import { IsInt } from 'class-validator';
import { MessageProducer, RabbitPayload, RabbitRPC, RabbitSubscribe, RemoteError, RpcClient, WarrenModule } from 'nestjs-warren';
import { WarrenClient, WarrenServer } from 'nestjs-warren/microservices';
import { WarrenHealthIndicator, WarrenHealthModule } from 'nestjs-warren/health';
import { lastValueFrom } from 'rxjs';
import amqplib from 'amqplib';

const run = process.env.RUN_ID ?? String(process.pid);
process.stdout.write(`running on node ${process.version}\n`);
const exchange = `nest12.${run}`;
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
}

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

/** The transport's service queue is durable: remove what this run declared. */
async function cleanUp(): Promise<void> {
  const connection = await amqplib.connect(process.env.RABBITMQ_URL ?? 'amqp://guest:guest@127.0.0.1:5672');
  const channel = await connection.createChannel();
  for (const queue of [`${exchange}.ms.q`, `${exchange}.ms.q.dlq`]) await channel.deleteQueue(queue);
  for (const name of [`${exchange}.ms`, exchange]) await channel.deleteExchange(name);
  await connection.close();
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
    const health = await fetch(`${await app.getUrl()}/health`);
    check(health.status === 200, 'the terminus health indicator says up');
  } finally {
    const closed = await app.close().then(() => true, () => false);
    check(closed, 'the app closed gracefully');
    await cleanUp();
  }
  process.exitCode = results.every((r) => r.startsWith('PASS')) && results.length === 6 ? 0 : 1;
}

main().catch((error: unknown) => {
  process.stdout.write(`FAIL scenario crashed: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exitCode = 1;
});
