import type { ConsumeMessage } from 'amqplib';
import { WarrenRpcContext } from './warren-rpc.context';

const message = (headers?: Record<string, unknown>) => ({ content: Buffer.alloc(0), fields: {}, properties: { headers } }) as unknown as ConsumeMessage;

describe('WarrenRpcContext counters', () => {
  it("reads a quorum queue's x-delivery-count (0 when absent) and RabbitMQ 4.3's x-acquired-count (undefined when absent)", () => {
    const first = new WarrenRpcContext([message(), 'orders.paid']);
    expect([first.getDeliveryCount(), first.getAcquiredCount()]).toEqual([0, undefined]);
    const again = new WarrenRpcContext([message({ 'x-delivery-count': 2, 'x-acquired-count': 5 }), 'orders.paid']);
    expect([again.getDeliveryCount(), again.getAcquiredCount()]).toEqual([2, 5]);
    const forged = new WarrenRpcContext([message({ 'x-delivery-count': 'many' }), 'orders.paid']);
    expect(forged.getDeliveryCount()).toBe(0);
  });
});
