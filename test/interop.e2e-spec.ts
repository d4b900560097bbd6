import { INestApplication, Injectable } from '@nestjs/common';
import type { ConsumeMessage } from 'amqplib';
import { RabbitRPC, RabbitSubscribe, RemoteError, RpcClient, WarrenModule } from 'nestjs-warren';
import { closeAll, startApp } from './support/app';
import { RawClient, unique, waitFor } from './support/broker';

/** Warren against clients that are not Warren: plain amqplib, as other languages' tutorials do it. */
describe('interoperability with plain AMQP clients (real broker)', () => {
  const inbox = unique('q.inbox');
  const rpcQueue = unique('q.rpc.fib');
  const rawServerQueue = unique('q.raw.server');
  const received: unknown[] = [];

  @Injectable()
  class Handlers {
    @RabbitSubscribe({ queue: inbox })
    onMessage(payload: unknown) {
      received.push(payload);
    }

    // `n: number` is checked by Warren (issue 27): a string is answered with VALIDATION_FAILED.
    @RabbitRPC({ queue: rpcQueue })
    fib(n: number) {
      let [a, b] = [0, 1];
      for (let i = 0; i < n; i++) [a, b] = [b, a + b];
      return a;
    }
  }

  let app: INestApplication;
  let raw: RawClient;

  beforeAll(async () => {
    raw = await RawClient.connect();
    app = await startApp({ imports: [WarrenModule.forRoot({ rpc: { timeoutMs: 3_000 } })], providers: [Handlers] });
  });

  afterAll(async () => {
    await closeAll(app);
    await raw.deleteQueues(inbox, rpcQueue, rawServerQueue);
    await raw.close();
  });

  it('decodes bodies by content type: text/plain, none (JSON or not), application/json', async () => {
    received.length = 0;
    await raw.publish('', inbox, '{"looks":"like json"}', { contentType: 'text/plain' });
    await raw.publish('', inbox, '{"n":1}'); // no content type, valid JSON
    await raw.publish('', inbox, 'hello world'); // no content type, not JSON
    await raw.publish('', inbox, '[1,2]', { contentType: 'application/json; charset=utf-8' });
    await raw.publish('', inbox, Buffer.from([1, 2, 3]), { contentType: 'application/octet-stream' });
    await waitFor(() => received.length === 5, 'five messages');
    expect(received.slice(0, 4)).toEqual(['{"looks":"like json"}', { n: 1 }, 'hello world', [1, 2]]);
    expect(Buffer.isBuffer(received[4])).toBe(true);
  });

  it('answers a tutorial-style RPC client on its own reply queue with its correlation id', async () => {
    const { queue: replyQueue } = await raw.channel.assertQueue('', { exclusive: true });
    const replies: ConsumeMessage[] = [];
    const { consumerTag } = await raw.channel.consume(replyQueue, (m) => m && replies.push(m), { noAck: true });
    try {
      raw.channel.sendToQueue(rpcQueue, Buffer.from('30'), { replyTo: replyQueue, correlationId: 'tutorial-1' });
      raw.channel.sendToQueue(rpcQueue, Buffer.from('"x"'), { replyTo: replyQueue, correlationId: 'tutorial-2' });
      await waitFor(() => replies.length === 2, 'two replies');
      const ok = replies.find((r) => r.properties.correlationId === 'tutorial-1')!;
      const failed = replies.find((r) => r.properties.correlationId === 'tutorial-2')!;
      expect(JSON.parse(ok.content.toString())).toBe(832040);
      expect(failed.properties.headers?.['warren-status']).toBe('error');
      expect(JSON.parse(failed.content.toString())).toMatchObject({ code: 'VALIDATION_FAILED', message: expect.stringContaining('payload must be a finite number') });
    } finally {
      await raw.channel.cancel(consumerTag);
    }
  });

  it('RpcClient calls an RPC server written with plain amqplib', async () => {
    const server = await raw.connection.createChannel();
    await server.assertQueue(rawServerQueue, { durable: false });
    await server.consume(rawServerQueue, (m) => {
      if (!m) return;
      const { text } = JSON.parse(m.content.toString()) as { text: string };
      server.sendToQueue(m.properties.replyTo, Buffer.from(JSON.stringify({ upper: text.toUpperCase() })), {
        correlationId: m.properties.correlationId,
        contentType: 'application/json',
      });
      server.ack(m);
    });
    try {
      const rpc = app.get(RpcClient);
      await expect(rpc.request('', rawServerQueue, { text: 'shout' })).resolves.toEqual({ upper: 'SHOUT' });
    } finally {
      await server.close();
    }
  });

  it('RpcClient reads a Warren error reply from any server as RemoteError', async () => {
    const error = (await app.get(RpcClient).request('', rpcQueue, 'x').catch((e: unknown) => e)) as RemoteError;
    expect(error).toBeInstanceOf(RemoteError);
    expect([error.code, error.details]).toEqual(['VALIDATION_FAILED', [{ path: [], message: 'payload must be a finite number, got a string' }]]);
  });
});
