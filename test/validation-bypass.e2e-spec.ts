import { INestApplication, Injectable } from '@nestjs/common';
import type { ConsumeMessage, GetMessage } from 'amqplib';
import { IsInt, IsString } from 'class-validator';
import { RabbitPayload, RabbitRPC, RabbitSubscribe, WarrenModule } from 'nestjs-warren';
import { closeAll, startApp } from './support/app';
import { RawClient, unique, waitFor } from './support/broker';

class StockDto {
  @IsString()
  sku!: string;

  @IsInt()
  quantity!: number;
}

/** The exact attack: the key is `__proto__` once JSON.parse has read the escape, not before. */
const ESCAPED_PROTO = '{"\\u005f_proto__": {}, "quantity": "DROP TABLE", "sku": 5}';
/** Other spellings of the same thing, and an own `constructor` that hides the DTO's class from class-validator. */
const VARIANTS = [
  '{"__proto\\u005f_": {"x": 1}, "quantity": "DROP TABLE", "sku": 5}',
  '{"\\u005F\\u005F\\u0070roto\\u005F\\u005F": [], "quantity": "DROP TABLE", "sku": 5}',
  '{"constructor": {}, "quantity": "DROP TABLE", "sku": 5}',
  '{"constructor": {"name": "Object"}, "prototype": {}, "quantity": "DROP TABLE", "sku": 5}',
];

/**
 * Finding 3 of issue 21: a payload that replaced its DTO's prototype (or hid its constructor) got
 * past class-validator with no constraint checked. It must be parked as a validation failure, and
 * an RPC caller must get VALIDATION_FAILED, with the handler never called.
 */
describe('DTO validation cannot be bypassed through __proto__ or constructor keys (real broker)', () => {
  const exchange = unique('bypass');
  const queue = unique('q.bypass');
  const rpcQueue = unique('q.bypass.rpc');
  const received: unknown[] = [];
  let app: INestApplication;
  let raw: RawClient;

  @Injectable()
  class StockHandlers {
    @RabbitSubscribe({ exchange, routingKey: 'stock.set', queue, retry: false })
    set(@RabbitPayload() stock: StockDto) {
      received.push(stock);
    }

    @RabbitRPC({ exchange, routingKey: 'stock.check', queue: rpcQueue })
    check(@RabbitPayload() stock: StockDto) {
      received.push(stock);
      return { ok: true };
    }
  }

  beforeAll(async () => {
    raw = await RawClient.connect();
    app = await startApp({
      imports: [WarrenModule.forRoot({ exchanges: [{ name: exchange, type: 'topic', options: { autoDelete: true } }], logger: false })],
      providers: [StockHandlers],
    });
  });

  afterAll(async () => {
    await closeAll(app);
    await raw.deleteQueues(queue, rpcQueue);
    await raw.close();
  });

  beforeEach(() => {
    received.length = 0;
  });

  async function parked(count: number): Promise<GetMessage[]> {
    const letters: GetMessage[] = [];
    await waitFor(async () => {
      letters.push(...(await raw.drain(`${queue}.dlq`)));
      return letters.length >= count;
    }, `${count} parked message(s)`);
    return letters;
  }

  it(`parks ${ESCAPED_PROTO} as a validation failure; the handler never receives it`, async () => {
    await raw.publish(exchange, 'stock.set', ESCAPED_PROTO, { contentType: 'application/json' });
    await raw.publish(exchange, 'stock.set', '{"sku": "A-1", "quantity": 3}', { contentType: 'application/json' });
    const [letter] = await parked(1);
    await waitFor(() => received.length === 1, 'the valid message handled');
    expect(letter.content.toString()).toBe(ESCAPED_PROTO);
    expect(letter.properties.headers?.['warren-error-code']).toBe('VALIDATION_FAILED');
    expect(String(letter.properties.headers?.['warren-error'])).toMatch(/quantity must be an integer number/);
    expect(String(letter.properties.headers?.['warren-error'])).toMatch(/sku must be a string/);
    expect(received).toEqual([expect.objectContaining({ sku: 'A-1', quantity: 3 })]);
    expect(received[0]).toBeInstanceOf(StockDto);
  });

  it('parks every other spelling and an own constructor key the same way', async () => {
    for (const body of VARIANTS) await raw.publish(exchange, 'stock.set', body, { contentType: 'application/json' });
    const letters = await parked(VARIANTS.length);
    expect(letters.map((m) => m.content.toString()).sort()).toEqual([...VARIANTS].sort());
    expect(letters.map((m) => m.properties.headers?.['warren-error-code'])).toEqual(VARIANTS.map(() => 'VALIDATION_FAILED'));
    expect(received).toEqual([]);
  });

  it('answers an RPC request carrying the payload with VALIDATION_FAILED, without calling the handler', async () => {
    const replies = new Map<string, ConsumeMessage>();
    const channel = await raw.connection.createChannel();
    try {
      const { queue: replyTo } = await channel.assertQueue('', { exclusive: true });
      await channel.consume(replyTo, (m) => m && replies.set(String(m.properties.correlationId), m), { noAck: true });
      const bodies = [ESCAPED_PROTO, ...VARIANTS];
      for (const [i, body] of bodies.entries()) {
        await raw.publish(exchange, 'stock.check', body, { contentType: 'application/json', replyTo, correlationId: `c${i}` });
      }
      await waitFor(() => replies.size === bodies.length, 'every request answered');
      for (const reply of replies.values()) {
        expect(reply.properties.headers?.['warren-status']).toBe('error');
        expect(JSON.parse(reply.content.toString())).toMatchObject({ code: 'VALIDATION_FAILED' });
      }
      expect(received).toEqual([]);
    } finally {
      await channel.close();
    }
  });
});
