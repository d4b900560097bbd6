import { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { MessageProducer } from 'nestjs-warren';
import { MemoryBroker, WarrenTestHarness, WarrenTestingModule } from 'nestjs-warren/testing';
import { RpcServerModule } from '../../rpc-server/src/rpc-server.module';
import { AuditHandler } from '../src/audit.handler';
import { GolevelupAppModule } from '../src/golevelup-app.module';

/**
 * The golevelup-style app (RabbitMQModule, AmqpConnection, Nack) unchanged, on the in-memory broker,
 * calling the RPC server it depends on over the same broker.
 */
describe('golevelup-app (in memory)', () => {
  const broker = new MemoryBroker();
  let app: INestApplication;
  let math: INestApplication;
  let stdout: jest.SpyInstance;

  beforeAll(async () => {
    stdout = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
    const server = await Test.createTestingModule({ imports: [RpcServerModule, WarrenTestingModule.inMemory({ broker })] }).compile();
    math = server.createNestApplication({ logger: false });
    await math.init();
    const audit = await Test.createTestingModule({ imports: [GolevelupAppModule, WarrenTestingModule.inMemory({ broker })] }).compile();
    app = audit.createNestApplication({ logger: false });
    await app.init();
  });

  afterAll(async () => {
    await app.close();
    await math.close();
    stdout.mockRestore();
  });

  it('audits a created order through an RPC call made with AmqpConnection.request', async () => {
    await app.get(MessageProducer).publish('warren.demo.orders', 'order.created', { id: 'o-5', amount: 7 });
    const [call] = await app.get(WarrenTestHarness).spy(AuditHandler, 'audit').waitForCalls(1);
    expect(call.outcome).toBe('acked');
    expect(stdout).toHaveBeenCalledWith('AUDIT order.created o-5 7\n');
  });

  it('parks an order without an id: the handler returned a Nack', async () => {
    await app.get(MessageProducer).publish('warren.demo.orders', 'order.created', { amount: 1 });
    const parked = await app.get(WarrenTestHarness).waitForDeadLettered({ handler: 'AuditHandler.audit' });
    expect(parked.body).toEqual({ amount: 1 });
    expect(broker.peek('warren.demo.golevelup-audit.dlq')).toHaveLength(1);
  });
});
