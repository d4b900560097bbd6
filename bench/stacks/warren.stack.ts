import { Injectable, Module } from '@nestjs/common';
import type { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { IsArray, IsInt, IsNumber, IsObject, IsString } from 'class-validator';
import * as v from 'valibot';
import { z } from 'zod';
import { MessageProducer, RabbitRPC, RabbitSubscribe, RpcClient, StandardSchemaV1, WarrenModule } from 'nestjs-warren';
import { BROKER_URL, BenchPayload, BenchStack } from './stack';

/** The DTO a real service would validate its order events against. */
class OrderEventDto {
  @IsInt() id!: number;
  @IsString() kind!: string;
  @IsNumber() amount!: number;
  @IsObject() customer!: object;
  @IsArray() items!: object[];
  @IsString() pad!: string;
}

/** The same constraints as OrderEventDto, as Standard Schemas (the handler gets the schema's output). */
const SCHEMAS: Record<'zod' | 'valibot', StandardSchemaV1> = {
  zod: z.object({ id: z.number().int(), kind: z.string(), amount: z.number(), customer: z.object({}).loose(), items: z.array(z.object({}).loose()), pad: z.string() }),
  valibot: v.object({ id: v.pipe(v.number(), v.integer()), kind: v.string(), amount: v.number(), customer: v.looseObject({}), items: v.array(v.looseObject({})), pad: v.string() }),
};

/**
 * Warren as shipped: MessageProducer, @RabbitSubscribe, RpcClient + @RabbitRPC, DTO validation.
 * `defaults`: nothing set at all, as a user starts — consumers keep the module's prefetch (10) whatever
 * the scenario asks of the other stacks. `dto: false`: handlers take a plain object, so nothing is
 * validated (what class-validator costs per message is the difference). `schema`: handlers validate
 * the same constraints with a zod 4 or valibot 1 schema instead of the DTO.
 */
export class WarrenStack implements BenchStack {
  readonly name: string;

  constructor(
    private readonly defaults = false,
    private readonly dto = true,
    /** Handlers validate with this schema instead (and take a plain type, so no DTO is involved). */
    private readonly schema?: 'zod' | 'valibot',
  ) {
    this.name = (defaults ? 'Warren (default configuration)' : 'Warren') + (schema ? `, ${schema} schema` : dto ? '' : ', no DTO');
  }

  private apps: INestApplicationContext[] = [];
  private producer?: MessageProducer;
  private rpc?: RpcClient;
  private queue = '';

  private async boot(providers: any[]): Promise<INestApplicationContext> {
    @Module({ imports: [WarrenModule.forRoot({ uri: BROKER_URL, logger: false })], providers })
    class BenchModule {}
    const app = await NestFactory.createApplicationContext(BenchModule, { logger: false });
    await app.init();
    this.apps.push(app);
    return app;
  }

  async startProducer(queue: string) {
    this.queue = queue;
    this.producer = (await this.boot([])).get(MessageProducer);
  }

  publish(body: BenchPayload) {
    return this.producer!.publish('', this.queue, body);
  }

  async publishMany(bodies: BenchPayload[]) {
    const results = await this.producer!.publishMany(bodies.map((message) => ({ exchange: '', routingKey: this.queue, message })));
    const failed = results.find((result) => result.status === 'rejected');
    if (failed) throw (failed as PromiseRejectedResult).reason;
  }

  async startConsumer(queue: string, prefetch: number, onMessage: () => void) {
    const defaults = this.defaults;
    @Injectable()
    class Consumer {
      @RabbitSubscribe(defaults ? { queue } : { queue, prefetch })
      handle(_event: OrderEventDto) {
        onMessage();
      }
    }
    @Injectable()
    class PlainConsumer {
      @RabbitSubscribe(defaults ? { queue } : { queue, prefetch })
      handle(_event: object) {
        onMessage();
      }
    }
    const schema = this.schema && SCHEMAS[this.schema];
    @Injectable()
    class SchemaConsumer {
      @RabbitSubscribe(defaults ? { queue, schema } : { queue, prefetch, schema })
      handle(_event: object) {
        onMessage();
      }
    }
    await this.boot([schema ? SchemaConsumer : this.dto ? Consumer : PlainConsumer]);
  }

  async startRpc(queue: string) {
    this.queue = queue;
    @Injectable()
    class Server {
      @RabbitRPC({ queue }) // the default-configured server: RPC-only queues get prefetch 100
      handle(request: OrderEventDto) {
        return { id: request.id };
      }
    }
    @Injectable()
    class PlainServer {
      @RabbitRPC({ queue })
      handle(request: { id: number }) {
        return { id: request.id };
      }
    }
    const schema = this.schema && SCHEMAS[this.schema];
    @Injectable()
    class SchemaServer {
      @RabbitRPC({ queue, schema })
      handle(request: { id: number }) {
        return { id: request.id };
      }
    }
    this.rpc = (await this.boot([schema ? SchemaServer : this.dto ? Server : PlainServer])).get(RpcClient);
  }

  call(body: BenchPayload) {
    return this.rpc!.request('', this.queue, body);
  }

  async stop() {
    for (const app of this.apps.splice(0)) await app.close();
  }
}
