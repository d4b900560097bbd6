import { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { MemoryBroker, WarrenTestHarness, WarrenTestingModule } from 'nestjs-warren/testing';
import { RpcServerModule } from '../../rpc-server/src/rpc-server.module';
import { QUEUES } from '../../shared/contracts';
import { TopicConsumerModule } from '../../topic-consumer/src/topic-consumer.module';
import { GatewayModule } from '../src/gateway.module';

/**
 * The web gateway over HTTP with its peers on one in-memory broker: an RPC server answering its
 * calls, and a topic consumer taking the events it publishes — three services, no RabbitMQ.
 */
describe('gateway (HTTP, in memory)', () => {
  const broker = new MemoryBroker();
  let gateway: INestApplication;
  let rpcServer: INestApplication;
  let consumer: INestApplication;
  let stdout: jest.SpyInstance;
  let base: string;

  beforeAll(async () => {
    stdout = jest.spyOn(process.stdout, 'write').mockImplementation(() => true); // the consumer's demo lines
    const events = await Test.createTestingModule({ imports: [TopicConsumerModule, WarrenTestingModule.inMemory({ broker })] }).compile();
    consumer = events.createNestApplication({ logger: false });
    await consumer.init();
    const server = await Test.createTestingModule({ imports: [RpcServerModule, WarrenTestingModule.inMemory({ broker })] }).compile();
    rpcServer = server.createNestApplication({ logger: false });
    await rpcServer.init();
    const web = await Test.createTestingModule({ imports: [GatewayModule, WarrenTestingModule.inMemory({ broker })] }).compile();
    gateway = web.createNestApplication({ logger: false });
    await gateway.listen(0, '127.0.0.1');
    base = await gateway.getUrl();
  });

  afterAll(async () => {
    await gateway.close();
    await rpcServer.close();
    await consumer.close();
    stdout.mockRestore();
  });

  it('GET /math/sum calls the RPC server', async () => {
    const response = await fetch(`${base}/math/sum?a=20&b=22`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ sum: 42 });
  });

  it("maps the server's VALIDATION_FAILED to 400", async () => {
    const response = await fetch(`${base}/math/sum?a=1.5&b=1`);
    expect(response.status).toBe(400);
  });

  it('POST /orders answers 202 once the event is confirmed, and the topic consumer handles it', async () => {
    const response = await fetch(`${base}/orders`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ id: 'o-9', amount: 3 }) });
    expect(response.status).toBe(202);
    const published = await gateway.get(WarrenTestHarness).waitForPublished({ routingKey: 'order.created' });
    expect(published).toMatchObject({ confirmed: true, message: { id: 'o-9', amount: 3 } });
    const handled = await consumer.get(WarrenTestHarness).waitForConsumed({ handler: 'OrderEventsHandler.onOrderEvent' });
    expect(handled).toMatchObject({ outcome: 'acked', body: { id: 'o-9', amount: 3 } });
  });

  it('keeps an event published while the topic consumer is down in its durable queue', async () => {
    await consumer.close();
    const response = await fetch(`${base}/orders`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ id: 'o-10', amount: 1 }) });
    expect(response.status).toBe(202);
    expect(broker.peek(QUEUES.orderEvents).map((message) => JSON.parse(message.content.toString()))).toEqual([{ id: 'o-10', amount: 1 }]);
  });

  it('reports health up with the in-memory connection', async () => {
    const response = await fetch(`${base}/health`);
    expect(response.status).toBe(200);
  });
});
