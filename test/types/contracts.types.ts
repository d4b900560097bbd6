/**
 * Type-level tests of typed contracts, checked by `tsc` in `npm run lint` (CI): every
 * `@ts-expect-error` below must be an error, and every `expectTypeOf` must hold. Nothing runs.
 */
import { Injectable } from '@nestjs/common';
import { expectTypeOf } from 'expect-type';
import { MessageProducer, RabbitRPC, RabbitSubscribe, RpcClient, defineEvent, defineRpc } from 'nestjs-warren';

interface SumRequest {
  a: number;
  b: number;
}
interface SumResult {
  sum: number;
}
const sum = defineRpc<SumRequest, SumResult>({ exchange: 'math', routingKey: 'sum' });
const orderCreated = defineEvent<{ id: string; amount: number }>({ exchange: 'orders', routingKey: 'order.created' });

declare const rpc: RpcClient;
declare const producer: MessageProducer;

// The caller: the request is checked, the result is typed.
expectTypeOf(rpc.call(sum, { a: 1, b: 2 })).resolves.toEqualTypeOf<SumResult>();
// @ts-expect-error b is missing
void rpc.call(sum, { a: 1 });
// @ts-expect-error a must be a number
void rpc.call(sum, { a: '1', b: 2 });

// The producer: the payload is checked against the event.
expectTypeOf(producer.publish(orderCreated, { id: 'o-1', amount: 3 })).toEqualTypeOf<Promise<void>>();
// @ts-expect-error amount is missing
void producer.publish(orderCreated, { id: 'o-1' });
// The untyped form still works.
void producer.publish('orders', 'order.created', { anything: true });

// The handlers: a wrong request type or a wrong result type does not compile.
@Injectable()
export class Handlers {
  @RabbitRPC(sum)
  good(request: SumRequest): SumResult {
    return { sum: request.a + request.b };
  }

  @RabbitRPC(sum)
  async goodAsync(request: SumRequest): Promise<SumResult> {
    return { sum: request.a + request.b };
  }

  // @ts-expect-error the handler returns a string, the contract says SumResult
  @RabbitRPC(sum)
  wrongResult(request: SumRequest): string {
    return String(request.a);
  }

  // @ts-expect-error the handler takes a string, the contract sends SumRequest
  @RabbitRPC(sum)
  wrongRequest(request: string): SumResult {
    return { sum: request.length };
  }

  @RabbitSubscribe({ ...orderCreated, queue: 'billing' })
  onOrder(event: { id: string; amount: number }): void {
    void event;
  }

  // @ts-expect-error the event carries an object, not a number
  @RabbitSubscribe(orderCreated)
  onWrongOrder(event: number): void {
    void event;
  }
}
