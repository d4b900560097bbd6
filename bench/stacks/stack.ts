/**
 * What every benchmarked stack offers, each inside a minimal Nest 11 application. Queue names
 * are chosen per scenario, so each stack builds its Nest modules on demand.
 */
export interface BenchStack {
  readonly name: string;
  /** A Nest app that can publish (confirmed, persistent) to a queue through the default exchange. */
  startProducer(queue: string): Promise<void>;
  publish(body: BenchPayload): Promise<void>;
  /** The stack's own way to publish a burst in one call, where it has one (all confirmed when it resolves). */
  publishMany?(bodies: BenchPayload[]): Promise<unknown>;
  /** A Nest app consuming `queue` with manual ack and `prefetch`; `onMessage` runs per message. */
  startConsumer(queue: string, prefetch: number, onMessage: () => void): Promise<void>;
  /** An RPC server answering on `queue` and a client calling it. */
  startRpc(queue: string): Promise<void>;
  call(payload: BenchPayload): Promise<unknown>;
  stop(): Promise<void>;
}

export interface BenchPayload {
  id: number;
  kind: string;
  amount: number;
  customer: { name: string; email: string };
  items: Array<{ sku: string; quantity: number }>;
  pad: string;
}

export const BROKER_URL = process.env.RABBITMQ_URL ?? 'amqp://guest:guest@127.0.0.1:5672';

/** A JSON body of about `bytes` bytes, shaped like an order event. */
export function payload(id: number, bytes: number): BenchPayload {
  const base: BenchPayload = {
    id,
    kind: 'order.created',
    amount: 1234.5,
    customer: { name: 'Ada Lovelace', email: 'ada@example.com' },
    items: [
      { sku: 'SKU-0001', quantity: 2 },
      { sku: 'SKU-0002', quantity: 1 },
    ],
    pad: '',
  };
  const size = Buffer.byteLength(JSON.stringify(base));
  base.pad = 'x'.repeat(Math.max(0, bytes - size));
  return base;
}
