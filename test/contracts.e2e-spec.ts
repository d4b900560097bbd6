import { Injectable } from '@nestjs/common';
import { IsInt } from 'class-validator';
import { MessageProducer, RabbitPayload, RabbitRPC, RabbitSubscribe, RemoteError, RpcClient, WarrenModule, defineEvent, defineRpc } from 'nestjs-warren';
import { closeAll, startApp } from './support/app';
import { RawClient, unique, waitFor } from './support/broker';

class SumRequest {
  @IsInt()
  a!: number;

  @IsInt()
  b!: number;
}

/** One contract for handler, caller and producer; the contract's DTO validates what handlers get. */
describe('typed contracts (real broker)', () => {
  const exchange = unique('contracts');
  const queue = unique('q.contracts');
  const sum = defineRpc<SumRequest, { sum: number }>({ exchange, routingKey: 'math.sum', request: SumRequest });
  const created = defineEvent<{ id: string }>({ exchange, routingKey: 'order.created' });
  const events: string[] = [];

  @Injectable()
  class Handlers {
    // The parameter is an interface-like type: the contract's SumRequest is what gets validated.
    @RabbitRPC({ ...sum, queue: `${queue}.rpc` })
    add(@RabbitPayload() request: { a: number; b: number }) {
      return { sum: request.a + request.b };
    }

    @RabbitSubscribe({ ...created, queue })
    onCreated(@RabbitPayload() event: { id: string }) {
      events.push(event.id);
    }
  }

  it('calls, publishes and validates through the contracts', async () => {
    const app = await startApp({ imports: [WarrenModule.forRoot({ exchanges: [{ name: exchange, type: 'topic', options: { autoDelete: true } }] })], providers: [Handlers] });
    try {
      const rpc = app.get(RpcClient);
      await expect(rpc.call(sum, { a: 2, b: 40 })).resolves.toEqual({ sum: 42 });
      const refused = await rpc.call(sum, { a: 1.5, b: 2 }).catch((e: RemoteError) => e);
      expect(refused).toBeInstanceOf(RemoteError);
      expect((refused as RemoteError).code).toBe('VALIDATION_FAILED');
      expect((refused as RemoteError).message).toMatch(/a must be an integer number/);
      await app.get(MessageProducer).publish(created, { id: 'o-1' });
      await waitFor(() => events.includes('o-1'), 'the event');
    } finally {
      await closeAll(app);
      const raw = await RawClient.connect();
      await raw.deleteQueues(queue, `${queue}.rpc`);
      await raw.close();
    }
  });
});
