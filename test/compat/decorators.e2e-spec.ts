import { INestApplication, Injectable, ParseIntPipe, assignMetadata } from '@nestjs/common';
import {
  AmqpConnection,
  RABBIT_ARGS_METADATA,
  RABBIT_HEADER_TYPE,
  RABBIT_REQUEST_TYPE,
  RabbitHandler,
  RabbitMQModule,
  createPipesRpcParamDecorator,
  makeRabbitDecorator,
} from 'nestjs-warren/golevelup';
import { closeAll, startApp } from '../support/app';
import { BROKER_URL, RawClient, unique, waitFor } from '../support/broker';

/** A parameter decorator written the golevelup 8 way, on RABBIT_ARGS_METADATA. */
function Tenant(): ParameterDecorator {
  return (target, key, index) => {
    const args = Reflect.getMetadata(RABBIT_ARGS_METADATA, target.constructor, key!) ?? {};
    Reflect.defineMetadata(RABBIT_ARGS_METADATA, assignMetadata(args, RABBIT_HEADER_TYPE, index, 'tenant'), target.constructor, key!);
  };
}

/** golevelup's decorator building blocks: handlers made with them are Warren's handlers. */
describe('golevelup compatibility: RabbitHandler, makeRabbitDecorator, createPipesRpcParamDecorator (real broker)', () => {
  const exchange = unique('compat.deco');
  const events = `${exchange}.events`;
  const rpc = `${exchange}.rpc`;
  const got: unknown[] = [];
  const OrderEvent = makeRabbitDecorator({ type: 'subscribe', exchange, queueOptions: { durable: false } });
  const Count = (...pipes: Array<typeof ParseIntPipe>) => createPipesRpcParamDecorator('count', RABBIT_HEADER_TYPE, ...pipes);
  const RoutingKey = () => createPipesRpcParamDecorator(undefined, RABBIT_REQUEST_TYPE);
  let app: INestApplication;
  let raw: RawClient;

  @Injectable()
  class Handlers {
    @OrderEvent({ routingKey: 'order.*', queue: events })
    onOrder(@createPipesRpcParamDecorator('id') id: unknown, @Count(ParseIntPipe) count: number, @Tenant() tenant: unknown, @RoutingKey() message: { fields: { routingKey: string } }) {
      got.push({ id, count, tenant, routingKey: message.fields.routingKey });
    }

    @RabbitHandler({ type: 'rpc', exchange, routingKey: 'double', queue: rpc, queueOptions: { durable: false } })
    double(@createPipesRpcParamDecorator() { n }: { n: number }) {
      return { n: n * 2 };
    }
  }

  beforeAll(async () => {
    raw = await RawClient.connect();
    app = await startApp({ imports: [RabbitMQModule.forRoot({ uri: BROKER_URL, exchanges: [{ name: exchange, type: 'topic', options: { durable: false } }] })], providers: [Handlers] });
  });

  afterAll(async () => {
    await closeAll(app);
    await raw.deleteQueues(events, rpc);
    await raw.deleteExchanges(exchange);
    await raw.close();
  });

  it('a makeRabbitDecorator subscriber gets a payload property, a piped header, a RABBIT_ARGS_METADATA header and the message', async () => {
    await app.get(AmqpConnection).publish(exchange, 'order.created', { id: 'o-9' }, { headers: { count: '3', tenant: 'acme' } });
    await waitFor(() => got.length === 1, 'the event');
    expect(got).toEqual([{ id: 'o-9', count: 3, tenant: 'acme', routingKey: 'order.created' }]);
  });

  it('a RabbitHandler({ type: "rpc" }) answers', async () => {
    await expect(app.get(AmqpConnection).request({ exchange, routingKey: 'double', payload: { n: 21 } })).resolves.toEqual({ n: 42 });
  });
});
