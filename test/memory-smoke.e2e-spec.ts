import { Injectable } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { MessageProducer, RabbitRPC, RabbitSubscribe, RpcClient } from 'nestjs-warren';
import { WarrenTestHarness, WarrenTestingModule } from 'nestjs-warren/testing';

@Injectable()
class H {
  got: unknown[] = [];
  @RabbitSubscribe({ exchange: 'ev', routingKey: 'a.*', queue: 'q1' })
  on(m: unknown) {
    this.got.push(m);
  }
  @RabbitRPC({ exchange: 'ev', routingKey: 'rpc.add', queue: 'q2' })
  add(m: { a: number; b: number }) {
    return m.a + m.b;
  }
}

it('smoke', async () => {
  const mod = await Test.createTestingModule({ imports: [WarrenTestingModule.forRoot({ exchanges: [{ name: 'ev', type: 'topic' }] })], providers: [H] }).compile();
  const app = mod.createNestApplication();
  await app.init();
  await app.get(MessageProducer).publish('ev', 'a.b', { x: 1 });
  const h = app.get(WarrenTestHarness);
  const rec = await h.waitForConsumed({ routingKey: 'a.b' });
  expect(rec.body).toEqual({ x: 1 });
  expect(await app.get(RpcClient).request('ev', 'rpc.add', { a: 1, b: 2 })).toBe(3);
  await app.close();
});
