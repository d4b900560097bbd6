import { Controller, Module } from '@nestjs/common';
import type { INestMicroservice } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { EventPattern, MessagePattern, MicroserviceOptions, Payload } from '@nestjs/microservices';
import { WarrenClient, WarrenServer } from 'nestjs-warren/microservices';
import { lastValueFrom } from 'rxjs';
import { BROKER_URL, BenchPayload, BenchStack } from './stack';

const EXCHANGE = 'warren.bench.transport';

/**
 * Warren as a @nestjs/microservices transport: WarrenClient.emit + @EventPattern, WarrenClient.send
 * + @MessagePattern — the same service code as the Nest RMQ stack, on WarrenServer / WarrenClient.
 */
export class WarrenTransportStack implements BenchStack {
  readonly name = 'Warren transport';
  private servers: INestMicroservice[] = [];
  private client?: WarrenClient;

  private async bootServer(controller: new (...args: never[]) => unknown, queue: string, prefetch: number) {
    @Module({ controllers: [controller] })
    class ServerModule {}
    const app = await NestFactory.createMicroservice<MicroserviceOptions>(ServerModule, {
      strategy: new WarrenServer({ uri: BROKER_URL, exchange: EXCHANGE, queue, prefetch, logger: false }),
      logger: false,
    });
    await app.listen();
    this.servers.push(app);
  }

  private async bootClient(): Promise<WarrenClient> {
    const client = new WarrenClient({ uri: BROKER_URL, exchange: EXCHANGE, logger: false });
    await client.connect();
    return client;
  }

  async startProducer(queue: string) {
    this.client = await this.bootClient();
    // Where a consumer of the service would be bound, so the mandatory publishes are routable.
    const channel = (await this.client.connect()).connection.topologyChannel;
    await channel.bindQueue(queue, EXCHANGE, 'order.created');
  }

  publish(body: BenchPayload) {
    return lastValueFrom(this.client!.emit('order.created', body), { defaultValue: undefined });
  }

  async startConsumer(queue: string, prefetch: number, onMessage: () => void) {
    @Controller()
    class Consumer {
      @EventPattern('order.created')
      handle(@Payload() _event: BenchPayload) {
        onMessage();
      }
    }
    await this.bootServer(Consumer, queue, prefetch);
  }

  async startRpc(queue: string) {
    @Controller()
    class Server {
      @MessagePattern('order.check')
      handle(@Payload() request: BenchPayload) {
        return { id: request.id };
      }
    }
    await this.bootServer(Server, queue, 100);
    this.client = await this.bootClient();
  }

  call(body: BenchPayload) {
    return lastValueFrom(this.client!.send('order.check', body));
  }

  async stop() {
    await this.client?.close();
    this.client = undefined;
    for (const server of this.servers.splice(0)) await server.close();
  }
}

