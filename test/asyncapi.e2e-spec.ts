import { Injectable, INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { Parser } from '@asyncapi/parser';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, ValidateNested } from 'class-validator';
import { HEADERS } from '../libs/warren/src/warren.constants';
import { RabbitPayload, RabbitRPC, RabbitSubscribe, RpcClient, WarrenModule, defineEvent, defineRpc } from 'nestjs-warren';
import { AsyncApiDocument, WarrenAsyncApi, WarrenAsyncApiController, serveAsyncApi } from 'nestjs-warren/asyncapi';
import { RawClient, unique } from './support/broker';
import { LimitedUser, createLimitedUser } from './support/limited-user';

class LineDto {
  @IsString()
  sku!: string;

  @IsInt()
  quantity!: number;
}

class OrderDto {
  @IsString()
  id!: string;

  @ValidateNested({ each: true })
  @Type(() => LineDto)
  lines!: LineDto[];

  @IsOptional()
  @IsString()
  note?: string;
}

class SumDto {
  @IsInt()
  a!: number;

  @IsInt()
  b!: number;
}

/** The AsyncAPI document of a running app: what it consumes, sends and declares, read from Warren itself. */
describe('WarrenAsyncApi (real broker)', () => {
  const orders = unique('asyncapi.orders');
  const rpcExchange = unique('asyncapi.rpc');
  const queue = unique('q.asyncapi.orders');
  const rpcQueue = unique('q.asyncapi.math');
  const auditQueue = unique('q.asyncapi.audit');
  const sum = defineRpc<SumDto, { sum: number }>({ exchange: rpcExchange, routingKey: 'math.sum', request: SumDto });
  const created = defineEvent<OrderDto>({ exchange: orders, routingKey: 'order.created', payload: OrderDto });

  @Injectable()
  class Handlers {
    @RabbitSubscribe({ exchange: orders, routingKey: ['order.created', 'order.*.paid'], queue })
    onOrder(@RabbitPayload() order: OrderDto) {
      return order.id;
    }

    @RabbitSubscribe({ exchange: orders, routingKey: 'order.#', queue: auditQueue, queueType: 'quorum', retry: false })
    audit(@RabbitPayload() order: OrderDto) {
      return order.id;
    }

    @RabbitRPC({ ...sum, queue: rpcQueue })
    add(request: SumDto) {
      return { sum: request.a + request.b };
    }
  }

  let user: LimitedUser;
  let app: INestApplication;
  let document: AsyncApiDocument;

  beforeAll(async () => {
    user = await createLimitedUser({ configure: '.*', write: '.*', read: '.*' });
    const moduleRef = await Test.createTestingModule({
      imports: [
        WarrenModule.forRoot({
          uri: user.url,
          logger: false,
          exchanges: [
            { name: orders, type: 'topic', options: { autoDelete: true } },
            { name: rpcExchange, type: 'direct', options: { autoDelete: true } },
          ],
          publications: { shipped: { exchange: orders, routingKey: 'order.shipped', options: { persistent: false } } },
          contracts: [sum, created],
        }),
      ],
      providers: [Handlers],
      controllers: [WarrenAsyncApiController],
    }).compile();
    app = moduleRef.createNestApplication({ logger: false });
    serveAsyncApi(app, { path: '/docs/events.json', title: 'orders service' });
    await app.init();
    // The app runs: its RPC handler answers, so the document describes consumers that are live.
    await expect(app.get(RpcClient).call(sum, { a: 1, b: 2 })).resolves.toEqual({ sum: 3 });
    document = app.get(WarrenAsyncApi).document({ title: 'orders', version: '2.0.0' });
  });

  afterAll(async () => {
    await app?.close();
    const raw = await RawClient.connect();
    await raw.deleteQueues(queue, rpcQueue, auditQueue);
    await raw.deleteExchanges(orders, rpcExchange);
    await raw.close();
    await user?.remove();
  });

  const channelOf = (key: string) => document.channels[key];
  const routingKeyChannel = (exchange: string, routingKey: string) =>
    Object.entries(document.channels).find(([, c]) => c.address === routingKey && (c.bindings?.amqp.exchange as { name?: string } | undefined)?.name === exchange);
  const queueChannel = (name: string) => Object.entries(document.channels).find(([, c]) => (c.bindings?.amqp.queue as { name?: string } | undefined)?.name === name);

  it('parses with @asyncapi/parser without errors', async () => {
    const diagnostics = await new Parser().validate(document as never);
    expect(diagnostics.filter((d) => d.severity === 0).map((d) => d.message)).toEqual([]);
    expect(document.asyncapi).toBe('3.0.0');
    expect(document.info).toMatchObject({ title: 'orders', version: '2.0.0' });
  });

  it('names the broker of the connection and never its credentials', () => {
    expect(Object.values(document.servers)).toEqual([{ host: `${new URL(user.url).hostname}:${new URL(user.url).port || 5672}`, protocol: 'amqp', protocolVersion: '0.9.1' }]);
    const text = JSON.stringify(document);
    for (const secret of [user.password, user.user]) expect(text).not.toContain(secret);
  });

  it('has a channel per exchange and routing key a handler is bound with, with the exchange binding', () => {
    for (const key of ['order.created', 'order.*.paid', 'order.#']) {
      const [, channel] = routingKeyChannel(orders, key) ?? [];
      expect(channel?.bindings?.amqp).toEqual({
        is: 'routingKey',
        exchange: { name: orders, type: 'topic', durable: true, autoDelete: true, vhost: '/' },
        bindingVersion: '0.3.0',
      });
    }
    expect(routingKeyChannel(rpcExchange, 'math.sum')?.[1].bindings?.amqp.exchange).toMatchObject({ name: rpcExchange, type: 'direct' });
  });

  it('describes each consumed queue: name, durability, quorum, bindings', () => {
    expect(queueChannel(queue)?.[1].bindings?.amqp).toMatchObject({
      is: 'queue',
      queue: { name: queue, durable: true, exclusive: false, autoDelete: false },
      'x-warren-queue-type': 'classic',
      'x-warren-bindings': [{ exchange: orders, routingKey: 'order.created' }, { exchange: orders, routingKey: 'order.*.paid' }],
    });
    expect(queueChannel(auditQueue)?.[1].bindings?.amqp).toMatchObject({
      queue: { name: auditQueue, durable: true },
      'x-warren-queue-type': 'quorum',
      'x-warren-delivery-limit': 20,
      'x-warren-arguments': { 'x-queue-type': 'quorum', 'x-delivery-limit': 20 },
    });
  });

  it('lists the dead-letter and retry queues as channels, with their roles', () => {
    expect(queueChannel(`${queue}.dlq`)?.[1].bindings?.amqp).toMatchObject({ 'x-warren-role': 'dead-letter', 'x-warren-source-queue': queue });
    for (const ms of [1000, 2000, 4000, 8000]) {
      expect(queueChannel(`${queue}.retry.${ms}ms`)?.[1].bindings?.amqp).toMatchObject({
        'x-warren-role': 'retry',
        'x-warren-arguments': { 'x-message-ttl': ms, 'x-dead-letter-routing-key': queue },
      });
    }
    expect(queueChannel(`${auditQueue}.dlq`)?.[1].bindings?.amqp).toMatchObject({ 'x-warren-arguments': { 'x-queue-type': 'quorum' } });
    expect(queueChannel(`${rpcQueue}.dlq`)).toBeUndefined(); // RPC errors are replies, nothing is parked
  });

  it('has a receive operation for every handler, on each of its channels', () => {
    const receives = Object.values(document.operations).filter((o) => o.action === 'receive');
    expect(receives.map((o) => o['x-warren-handler']).sort()).toEqual(['Handlers.add', 'Handlers.audit', 'Handlers.onOrder', 'Handlers.onOrder']);
    const [createdKey] = routingKeyChannel(orders, 'order.created')!;
    const onCreated = receives.find((o) => o.channel.$ref === `#/channels/${createdKey}`)!;
    expect(onCreated).toMatchObject({ bindings: { amqp: { ack: true } }, 'x-warren-queue': queue, 'x-warren-dead-letter-queue': `${queue}.dlq` });
    expect(onCreated.messages).toEqual([{ $ref: `#/channels/${createdKey}/messages/OrderDto` }]);
  });

  it('gives the RPC handler its reply: a result or an error, to the caller-named reply queue', () => {
    const [mathKey] = routingKeyChannel(rpcExchange, 'math.sum')!;
    const add = Object.values(document.operations).find((o) => o['x-warren-handler'] === 'Handlers.add')!;
    expect(add.channel).toEqual({ $ref: `#/channels/${mathKey}` });
    expect(add.reply?.address.location).toBe('$message.header#/replyTo');
    const replyKey = add.reply!.channel.$ref.split('/').pop()!;
    expect(channelOf(replyKey).address).toBeNull();
    expect(add.reply!.messages.map((m) => m.$ref.split('/').pop())).toEqual(['AnyReply', 'WarrenRpcError']);
    expect(document.components.messages.SumDto_request).toMatchObject({ correlationId: { location: '$message.header#/correlationId' } });
    expect(document.components.messages.WarrenRpcError.payload).toEqual({ $ref: '#/components/schemas/WarrenRpcErrorPayload' });
  });

  it('has send operations for the publication and the contracts the module lists', () => {
    const send = Object.entries(document.operations).filter(([, o]) => o.action === 'send');
    expect(send.map(([key]) => key).sort()).toEqual([`call__${rpcExchange.replace(/\./g, '_')}__math_sum`, `publish__${orders.replace(/\./g, '_')}__order_created`, 'publish__shipped'].sort());
    const shipped = document.operations.publish__shipped;
    expect(shipped.bindings?.amqp).toEqual({ deliveryMode: 1, mandatory: true, bindingVersion: '0.3.0' });
    expect(shipped.channel.$ref).toBe(`#/channels/${routingKeyChannel(orders, 'order.shipped')![0]}`);
    const call = send.find(([key]) => key.startsWith('call__'))![1];
    expect(call.channel.$ref).toBe(`#/channels/${routingKeyChannel(rpcExchange, 'math.sum')![0]}`);
    expect(call.reply?.messages).toHaveLength(2);
  });

  it('takes payload schemas from the DTOs, nested DTOs included', () => {
    expect(document.components.messages.OrderDto.payload).toEqual({ $ref: '#/components/schemas/OrderDto' });
    expect(document.components.schemas.OrderDto).toEqual({
      type: 'object',
      properties: { id: { type: 'string' }, lines: { type: 'array', items: { $ref: '#/components/schemas/LineDto' } }, note: { type: 'string' } },
      required: ['id', 'lines'],
    });
    expect(document.components.schemas.LineDto).toEqual({ type: 'object', properties: { sku: { type: 'string' }, quantity: { type: 'integer' } }, required: ['sku', 'quantity'] });
    expect(document.components.schemas.SumDto).toMatchObject({ required: ['a', 'b'] });
  });

  it("describes Warren's headers on deliveries and RPC requests", () => {
    expect(document.components.messages.OrderDto.headers).toEqual({ $ref: '#/components/schemas/WarrenDeliveryHeaders' });
    const delivery = document.components.schemas.WarrenDeliveryHeaders as { properties: Record<string, unknown> };
    for (const header of [HEADERS.attempt, HEADERS.error, HEADERS.errorCode, HEADERS.originalExchange, HEADERS.deadLetteredAt]) expect(delivery.properties).toHaveProperty([header]);
    const request = document.components.schemas.WarrenRpcRequestHeaders as { properties: Record<string, unknown> };
    expect(request.properties).toHaveProperty([HEADERS.timeoutMs]);
  });

  it('is served over HTTP by the controller (/asyncapi.json) and by serveAsyncApi (any path)', async () => {
    const server = await app.listen(0, '127.0.0.1');
    const { port } = server.address() as { port: number };
    const fromController = await fetch(`http://127.0.0.1:${port}/asyncapi.json`, { signal: AbortSignal.timeout(5_000) });
    expect(fromController.status).toBe(200);
    expect(((await fromController.json()) as AsyncApiDocument).channels).toEqual(document.channels);
    const fromHelper = await fetch(`http://127.0.0.1:${port}/docs/events.json`, { signal: AbortSignal.timeout(5_000) });
    const body = await fromHelper.text();
    expect(JSON.parse(body).info.title).toBe('orders service');
    expect(body).not.toContain(user.password);
  });
});
