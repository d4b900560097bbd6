import { Controller, Module } from '@nestjs/common';
import type { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ClientProxy, ClientsModule, Ctx, EventPattern, MessagePattern, Payload, RmqContext, Transport } from '@nestjs/microservices';
import { lastValueFrom } from 'rxjs';
import { BROKER_URL, BenchPayload, BenchStack } from './stack';

const CLIENT = 'BENCH_CLIENT';

/**
 * Nest's own RMQ transport: ClientProxy.emit + @EventPattern, ClientProxy.send + @MessagePattern.
 * Manual ack (noAck: false) and persistent messages so it does the same work as the others;
 * `tuned` adds TCP_NODELAY on both sides.
 */
export class NestRmqStack implements BenchStack {
  readonly name: string;
  private apps: INestApplicationContext[] = [];
  private client?: ClientProxy;

  constructor(private readonly tuned: boolean) {
    this.name = tuned ? 'Nest RMQ (tuned)' : 'Nest RMQ (as shipped)';
  }

  /** The server acks by hand; the client's noAck only applies to its direct reply-to consumer, which must be true. */
  private options(queue: string, prefetch = 10, role: 'client' | 'server' = 'client') {
    return {
      urls: [BROKER_URL],
      queue,
      queueOptions: { durable: true },
      prefetchCount: prefetch,
      noAck: role === 'client',
      persistent: true,
      ...(this.tuned ? { socketOptions: { connectionOptions: { noDelay: true } } } : {}),
    };
  }

  private async bootClient(queue: string): Promise<ClientProxy> {
    @Module({ imports: [ClientsModule.register([{ name: CLIENT, transport: Transport.RMQ, options: this.options(queue) }])] })
    class ClientModule {}
    const app = await NestFactory.createApplicationContext(ClientModule, { logger: false });
    await app.init();
    this.apps.push(app);
    const client = app.get<ClientProxy>(CLIENT);
    await client.connect();
    return client;
  }

  private async bootServer(controller: any, queue: string, prefetch: number) {
    @Module({ controllers: [controller] })
    class ServerModule {}
    const app = await NestFactory.createMicroservice(ServerModule, {
      transport: Transport.RMQ,
      options: this.options(queue, prefetch, 'server'),
      logger: false,
    });
    await app.listen();
    this.apps.push(app);
  }

  async startProducer(queue: string) {
    this.client = await this.bootClient(queue);
  }

  publish(body: BenchPayload) {
    return lastValueFrom(this.client!.emit('order.created', body), { defaultValue: undefined });
  }

  async startConsumer(queue: string, prefetch: number, onMessage: () => void) {
    @Controller()
    class Consumer {
      @EventPattern('order.created')
      handle(@Payload() _event: BenchPayload, @Ctx() context: RmqContext) {
        onMessage();
        context.getChannelRef().ack(context.getMessage());
      }
    }
    await this.bootServer(Consumer, queue, prefetch);
  }

  async startRpc(queue: string) {
    @Controller()
    class Server {
      @MessagePattern('order.check')
      handle(@Payload() request: BenchPayload, @Ctx() context: RmqContext) {
        context.getChannelRef().ack(context.getMessage());
        return { id: request.id };
      }
    }
    await this.bootServer(Server, queue, 100);
    this.client = await this.bootClient(queue);
  }

  call(body: BenchPayload) {
    return lastValueFrom(this.client!.send('order.check', body));
  }

  async stop() {
    for (const app of this.apps.splice(0)) await app.close();
  }
}
