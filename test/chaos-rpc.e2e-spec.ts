import { INestApplication, Injectable } from '@nestjs/common';
import type { ConsumeMessage } from 'amqplib';
import { ConnectionLostError, RabbitRPC, RemoteError, RpcClient, RpcTimeoutError, UnroutableMessageError, WarrenModule } from 'nestjs-warren';
import { closeAll, startApp } from './support/app';
import { RawClient, unique, waitFor } from './support/broker';
import { closeConnections, restoreBroker } from './support/chaos';

/** Chaos 6: every way an RPC can fail gives its own error type, within a second of the cause. */
describe('chaos: RPC failures (real broker)', () => {
  const exchange = unique('rpc-chaos');
  const queue = unique('q.rpc-chaos');
  const clientName = unique('rpc-chaos-client');
  const ran: string[] = [];

  @Injectable()
  class Server {
    @RabbitRPC({ exchange, routingKey: 'fail', queue })
    fail() {
      throw Object.assign(new Error('no such account'), { code: 'ACCOUNT_MISSING' });
    }

    @RabbitRPC({ exchange, routingKey: 'slow', queue, prefetch: 1 })
    async slow(payload: { id: string; ms: number }) {
      ran.push(payload.id);
      await new Promise((resolve) => setTimeout(resolve, payload.ms));
      return payload.id;
    }
  }

  let server: INestApplication;
  let client: INestApplication;
  let raw: RawClient;

  beforeAll(async () => {
    raw = await RawClient.connect();
    server = await startApp({
      imports: [WarrenModule.forRoot({ exchanges: [{ name: exchange, options: { autoDelete: true } }], prefetch: 1 })],
      providers: [Server],
    });
    client = await startApp({ imports: [WarrenModule.forRoot({ connection: { name: clientName, reconnectDelayMs: 200 }, rpc: { timeoutMs: 5_000 } })] });
  });

  afterAll(async () => {
    await restoreBroker();
    await closeAll(client, server);
    await raw.deleteQueues(queue);
    await raw.close();
  });

  async function timed<T>(promise: Promise<T>): Promise<{ error: unknown; ms: number }> {
    const started = Date.now();
    const error = await promise.then(
      () => undefined,
      (e: unknown) => e,
    );
    return { error, ms: Date.now() - started };
  }

  it('handler error: RemoteError with the code, at once', async () => {
    const { error, ms } = await timed(client.get(RpcClient).request(exchange, 'fail', {}));
    expect(error).toBeInstanceOf(RemoteError);
    expect((error as RemoteError).code).toBe('ACCOUNT_MISSING');
    expect(ms).toBeLessThan(1_000);
  });

  it('unroutable key: UnroutableMessageError, at once', async () => {
    const { error, ms } = await timed(client.get(RpcClient).request(exchange, 'nobody', {}));
    expect(error).toBeInstanceOf(UnroutableMessageError);
    expect(ms).toBeLessThan(1_000);
  });

  it('expired request: the caller times out and the handler never runs it', async () => {
    const rpc = client.get(RpcClient);
    const busy = rpc.request(exchange, 'slow', { id: 'busy', ms: 800 }, { timeoutMs: 3_000 });
    await waitFor(() => ran.includes('busy'), 'the server to be busy');
    const { error, ms } = await timed(rpc.request(exchange, 'slow', { id: 'expired', ms: 0 }, { timeoutMs: 200 }));
    expect(error).toBeInstanceOf(RpcTimeoutError);
    expect(ms).toBeLessThan(1_000);
    await expect(busy).resolves.toBe('busy');
    await rpc.request(exchange, 'slow', { id: 'after', ms: 0 });
    expect(ran).not.toContain('expired');
  });

  it('expired request from any client: skipped without work or reply when its deadline header has passed', async () => {
    const { queue: replyQueue } = await raw.channel.assertQueue('', { exclusive: true });
    const replies: ConsumeMessage[] = [];
    await raw.channel.consume(replyQueue, (m) => m && replies.push(m), { noAck: true });
    const headers = { 'warren-deadline': Date.now() - 1_000 };
    raw.channel.publish(exchange, 'slow', Buffer.from(JSON.stringify({ id: 'stale', ms: 0 })), { replyTo: replyQueue, correlationId: 'stale', headers, contentType: 'application/json' });
    raw.channel.publish(exchange, 'slow', Buffer.from(JSON.stringify({ id: 'fresh', ms: 0 })), { replyTo: replyQueue, correlationId: 'fresh', contentType: 'application/json' });
    await waitFor(() => replies.length >= 1, 'the fresh reply');
    await waitFor(async () => (await raw.ready(queue)) === 0, 'the queue to be empty');
    expect(replies.map((r) => r.properties.correlationId)).toEqual(['fresh']);
    expect(ran).not.toContain('stale');
  });

  it('connection drop during a pending call: ConnectionLostError, at once', async () => {
    const rpc = client.get(RpcClient);
    const pending = timed(rpc.request(exchange, 'slow', { id: 'dropped', ms: 4_000 }, { timeoutMs: 10_000 }));
    await waitFor(() => ran.includes('dropped'), 'the call to be in progress');
    let closedAt = 0;
    const closing = closeConnections(clientName).then((count) => {
      closedAt = Date.now();
      return count;
    });
    const { error } = await pending;
    const rejectedAt = Date.now();
    expect(await closing).toBe(2); // the connection and its publishing connection
    expect(error).toBeInstanceOf(ConnectionLostError);
    // rabbitmqctl returns once the broker closed the connection; the caller knew by then, or within a second.
    expect(rejectedAt - closedAt).toBeLessThan(1_000);
    // And the client works again after it reconnected.
    await expect(rpc.request(exchange, 'slow', { id: 'reconnected', ms: 0 })).resolves.toBe('reconnected');
  });
});
