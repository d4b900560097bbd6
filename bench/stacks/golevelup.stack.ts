import { Injectable, Module } from '@nestjs/common';
import type { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { AmqpConnection, RabbitMQModule, RabbitRPC, RabbitSubscribe } from '@golevelup/nestjs-rabbitmq';
import { BROKER_URL, BenchPayload, BenchStack } from './stack';

/**
 * @golevelup/nestjs-rabbitmq 9: AmqpConnection.publish, @RabbitSubscribe, AmqpConnection.request
 * + @RabbitRPC. `tuned` adds TCP_NODELAY, which is all an expert would change. Its module keeps
 * static state, so each benchmark process runs one golevelup app at a time.
 */
export class GolevelupStack implements BenchStack {
  readonly name: string;
  private apps: INestApplicationContext[] = [];
  private amqp?: AmqpConnection;
  private queue = '';

  constructor(private readonly tuned: boolean) {
    this.name = tuned ? 'golevelup (tuned)' : 'golevelup (as shipped)';
  }

  private async boot(providers: any[], prefetch = 10): Promise<AmqpConnection> {
    const connectionOptions = this.tuned ? { connectionOptions: { noDelay: true } } : {};
    @Module({
      imports: [
        RabbitMQModule.forRoot({
          uri: BROKER_URL,
          prefetchCount: prefetch,
          connectionManagerOptions: connectionOptions,
          logger: { log: () => undefined, warn: () => undefined, error: () => undefined },
        }),
      ],
      providers,
    })
    class BenchModule {}
    const app = await NestFactory.createApplicationContext(BenchModule, { logger: false });
    await app.init();
    this.apps.push(app);
    return app.get(AmqpConnection);
  }

  async startProducer(queue: string) {
    this.queue = queue;
    this.amqp = await this.boot([]);
    await this.amqp.channel.assertQueue(queue, { durable: true });
  }

  async publish(body: BenchPayload) {
    await this.amqp!.publish('', this.queue, body, { persistent: true });
  }

  async startConsumer(queue: string, prefetch: number, onMessage: () => void) {
    @Injectable()
    class Consumer {
      @RabbitSubscribe({ queue, queueOptions: { durable: true } })
      handle() {
        onMessage();
      }
    }
    await this.boot([Consumer], prefetch);
  }

  async startRpc(queue: string) {
    this.queue = queue;
    @Injectable()
    class Server {
      @RabbitRPC({ queue, routingKey: queue, exchange: '', queueOptions: { durable: true } })
      handle(request: BenchPayload) {
        return { id: request.id };
      }
    }
    this.amqp = await this.boot([Server], 100);
  }

  call(body: BenchPayload) {
    return this.amqp!.request({ exchange: '', routingKey: this.queue, payload: body, timeout: 30_000 });
  }

  async stop() {
    for (const app of this.apps.splice(0)) await app.close();
  }
}
