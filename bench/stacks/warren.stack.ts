import type { INestApplicationContext } from '@nestjs/common';
import * as v from 'valibot';
import { z } from 'zod';
import type { MessageProducer, RpcClient, StandardSchemaV1 } from 'nestjs-warren';
import { BROKER_URL, BenchPayload, BenchStack } from './stack';
import { WarrenRuntime, currentWarren } from './warren-runtime';

/**
 * Warren as shipped: MessageProducer, @RabbitSubscribe, RpcClient + @RabbitRPC, DTO validation.
 * `defaults`: nothing set at all, as a user starts — consumers keep the module's prefetch (10) whatever
 * the scenario asks of the other stacks. `dto: false`: handlers take a plain object, so nothing is
 * validated (what class-validator costs per message is the difference). `runtime`: which Warren (and
 * which Nest beside it) the same stack code runs on — this checkout's, or a baseline build. `schema`:
 * handlers validate the same constraints with a zod 4 or valibot 1 schema instead of the DTO.
 */
export class WarrenStack implements BenchStack {
  readonly name: string;

  constructor(
    private readonly defaults = false,
    private readonly dto = true,
    private readonly runtime: WarrenRuntime = currentWarren(),
    label = 'Warren',
    /** Handlers validate with this schema instead (and take a plain type, so no DTO is involved). */
    private readonly schema?: 'zod' | 'valibot',
  ) {
    this.name = (defaults ? `${label} (default configuration)` : label) + (schema ? `, ${schema} schema` : dto ? '' : ', no DTO');
  }

  private apps: INestApplicationContext[] = [];
  private producer?: MessageProducer;
  private rpc?: RpcClient;
  private queue = '';

  private async boot(providers: any[]): Promise<INestApplicationContext> {
    const { common, core, warren } = this.runtime;
    @common.Module({ imports: [warren.WarrenModule.forRoot({ uri: BROKER_URL, logger: false })], providers })
    class BenchModule {}
    const app = await core.NestFactory.createApplicationContext(BenchModule, { logger: false });
    await app.init();
    this.apps.push(app);
    return app;
  }

  async startProducer(queue: string) {
    this.queue = queue;
    this.producer = (await this.boot([])).get(this.runtime.warren.MessageProducer);
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
    const handlers = handlersOf(this.runtime);
    const schema = this.schema && SCHEMAS[this.schema];
    const options = this.defaults ? { queue } : { queue, prefetch };
    await this.boot([handlers.consumer(schema ? { ...options, schema } : options, this.dto && !schema, onMessage)]);
  }

  async startRpc(queue: string) {
    this.queue = queue;
    const handlers = handlersOf(this.runtime);
    const schema = this.schema && SCHEMAS[this.schema];
    this.rpc = (await this.boot([handlers.rpcServer(queue, this.dto && !schema, schema)])).get(this.runtime.warren.RpcClient);
  }

  call(body: BenchPayload) {
    return this.rpc!.request('', this.queue, body);
  }

  async stop() {
    for (const app of this.apps.splice(0)) await app.close();
  }
}

/** The DTO's constraints as a zod 4 and a valibot 1 schema (what validating with each costs per message). */
const SCHEMAS: Record<'zod' | 'valibot', StandardSchemaV1> = {
  zod: z.object({ id: z.number().int(), kind: z.string(), amount: z.number(), customer: z.object({}).loose(), items: z.array(z.object({}).loose()), pad: z.string() }),
  valibot: v.object({ id: v.pipe(v.number(), v.integer()), kind: v.string(), amount: v.number(), customer: v.looseObject({}), items: v.array(v.looseObject({})), pad: v.string() }),
};

const made = new WeakMap<WarrenRuntime, ReturnType<typeof warrenHandlers>>();

/** One DTO class per runtime for the whole process, as a service declares it once. */
function handlersOf(runtime: WarrenRuntime) {
  if (!made.has(runtime)) made.set(runtime, warrenHandlers(runtime));
  return made.get(runtime)!;
}

/**
 * The handler classes, decorated by the runtime's Nest, Warren and class-validator. The DTO is a class
 * declared in the same scope as the handlers, so the emitted parameter types name it and Warren validates.
 */
function warrenHandlers({ common, validator: v, warren }: WarrenRuntime) {
  /** The DTO a real service would validate its order events against. */
  class OrderEventDto {
    @v.IsInt() id!: number;
    @v.IsString() kind!: string;
    @v.IsNumber() amount!: number;
    @v.IsObject() customer!: object;
    @v.IsArray() items!: object[];
    @v.IsString() pad!: string;
  }
  return {
    consumer(options: { queue: string; prefetch?: number; schema?: StandardSchemaV1 }, dto: boolean, onMessage: () => void) {
      @common.Injectable()
      class Consumer {
        @warren.RabbitSubscribe(options)
        handle(_event: OrderEventDto) {
          onMessage();
        }
      }
      @common.Injectable()
      class PlainConsumer {
        @warren.RabbitSubscribe(options)
        handle(_event: object) {
          onMessage();
        }
      }
      return dto ? Consumer : PlainConsumer;
    },
    rpcServer(queue: string, dto: boolean, schema?: StandardSchemaV1) {
      @common.Injectable()
      class Server {
        @warren.RabbitRPC({ queue }) // the default-configured server: RPC-only queues get prefetch 100
        handle(request: OrderEventDto) {
          return { id: request.id };
        }
      }
      @common.Injectable()
      class PlainServer {
        @warren.RabbitRPC(schema ? { queue, schema } : { queue })
        handle(request: { id: number }) {
          return { id: request.id };
        }
      }
      return dto ? Server : PlainServer;
    },
  };
}
