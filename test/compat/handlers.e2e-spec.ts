import { INestApplication, Injectable } from '@nestjs/common';
import type { Channel, ConsumeMessage } from 'amqplib';
import { gunzipSync, gzipSync } from 'zlib';
// A golevelup application's handler code, with only the import path changed.
import {
  AmqpConnection,
  MessageHandlerErrorBehavior,
  Nack,
  RabbitMQModule,
  RabbitRPC,
  RabbitSubscribe,
  RpcTimeoutError,
} from 'nestjs-warren/golevelup';
import { closeAll, startApp } from '../support/app';
import { BROKER_URL, RawClient, unique, waitFor } from '../support/broker';

/** How a golevelup handler's instructions (Nack, errorBehavior, errorHandler, serializers) are honoured. */
describe('golevelup compatibility: handler instructions (real broker)', () => {
  const exchange = unique('compat.h');
  const q = (name: string) => `${exchange}.${name}`;
  const calls: Record<string, unknown[]> = {};
  const record = (name: string, value: unknown) => (calls[name] ??= []).push(value);
  const errorHandlerSaw: Array<{ error: string; tag: number }> = [];
  let app: INestApplication;
  let raw: RawClient;
  let connection: AmqpConnection;

  @Injectable()
  class Handlers {
    @RabbitSubscribe({ exchange, routingKey: 'nack', queue: q('nack') })
    nack(payload: { n: number }) {
      record('nack', payload.n);
      return new Nack();
    }

    @RabbitSubscribe({ exchange, routingKey: 'nack-requeue', queue: q('nack-requeue') })
    nackRequeue(payload: { n: number }) {
      record('nack-requeue', payload.n);
      // Put back once, then take it.
      return (calls['nack-requeue'] ?? []).length === 1 ? new Nack(true) : undefined;
    }

    @RabbitSubscribe({ exchange, routingKey: 'ack-behavior', queue: q('ack-behavior'), errorBehavior: MessageHandlerErrorBehavior.ACK })
    ackOnError(payload: { n: number }) {
      record('ack-behavior', payload.n);
      throw new Error('dropped on purpose');
    }

    @RabbitSubscribe({ exchange, routingKey: 'requeue-behavior', queue: q('requeue-behavior'), errorBehavior: MessageHandlerErrorBehavior.REQUEUE })
    requeueOnError(payload: { n: number }) {
      record('requeue-behavior', payload.n);
      if ((calls['requeue-behavior'] ?? []).length < 3) throw new Error('not yet');
    }

    @RabbitSubscribe({ exchange, routingKey: 'nack-behavior', queue: q('nack-behavior'), errorBehavior: MessageHandlerErrorBehavior.NACK })
    nackOnError(payload: { n: number }) {
      record('nack-behavior', payload.n);
      throw new Error('failed for good');
    }

    @RabbitSubscribe({
      exchange,
      routingKey: 'error-handler',
      queue: q('error-handler'),
      errorHandler: (channel: Channel, message: ConsumeMessage, error: Error) => {
        errorHandlerSaw.push({ error: error.message, tag: message.fields.deliveryTag });
        channel.ack(message);
      },
    })
    withErrorHandler() {
      throw new Error('handled by errorHandler');
    }

    @RabbitSubscribe({ exchange, routingKey: 'default-behavior', queue: q('default-behavior') })
    moduleDefault(payload: { n: number }) {
      record('default-behavior', payload.n);
      throw new Error('module default applies');
    }

    @RabbitSubscribe({ exchange, routingKey: 'text', queue: q('text'), allowNonJsonMessages: true })
    text(payload: unknown) {
      record('text', payload);
    }

    @RabbitSubscribe({ exchange, routingKey: 'own-deserializer', queue: q('own-deserializer'), deserializer: (content: Buffer) => ({ raw: content.toString('hex') }) })
    ownDeserializer(payload: unknown) {
      record('own-deserializer', payload);
    }

    @RabbitSubscribe({ exchange, routingKey: 'gzip', queue: q('gzip') })
    gzip(payload: unknown) {
      record('gzip', payload);
    }

    @RabbitRPC({ exchange, routingKey: 'rpc.fail', queue: q('rpc') })
    rpcFail() {
      throw new Error('rpc failed');
    }

    @RabbitRPC({ exchange, routingKey: 'rpc.nack', queue: q('rpc') })
    rpcNack() {
      record('rpc.nack', true);
      return new Nack();
    }

    @RabbitSubscribe({ name: 'configured-by-name' })
    byName(payload: { n: number }) {
      record('by-name', payload.n);
    }
  }

  beforeAll(async () => {
    raw = await RawClient.connect();
    app = await startApp({
      imports: [
        RabbitMQModule.forRoot({
          uri: BROKER_URL,
          exchanges: [{ name: exchange, type: 'topic', options: { autoDelete: true } }],
          defaultSubscribeErrorBehavior: MessageHandlerErrorBehavior.ACK,
          // A golevelup-style RPC error reply the caller can read.
          defaultRpcErrorHandler: (channel: Channel, message: ConsumeMessage, error: Error) => {
            channel.publish('', message.properties.replyTo, Buffer.from(JSON.stringify({ status: 'error', message: error.message })), {
              correlationId: message.properties.correlationId,
            });
            channel.ack(message);
          },
          // gzip on the wire for everything Warren serializes; handlers' own deserializers win.
          serializer: (value: unknown) => gzipSync(Buffer.from(JSON.stringify(value))),
          deserializer: (content: Buffer) => JSON.parse(gunzipSync(content).toString()),
          handlers: { 'configured-by-name': { exchange, routingKey: 'by-name', queue: q('by-name') } },
        }),
      ],
      providers: [Handlers],
    });
    connection = app.get(AmqpConnection);
  });

  afterAll(async () => {
    await closeAll(app);
    const names = ['nack', 'nack-requeue', 'ack-behavior', 'requeue-behavior', 'nack-behavior', 'error-handler', 'default-behavior', 'text', 'own-deserializer', 'gzip', 'rpc', 'by-name'];
    await raw.deleteQueues(...names.map(q));
    await raw.deleteExchanges(exchange);
    await raw.close();
  });

  it('new Nack() parks the message in the dead-letter queue with the reason; nothing is acked silently', async () => {
    await connection.publish(exchange, 'nack', { n: 1 });
    await waitFor(async () => (await raw.ready(`${q('nack')}.dlq`)) === 1, 'the Nacked message parked');
    const [parked] = await raw.drain(`${q('nack')}.dlq`);
    expect(parked.properties.headers?.['warren-error']).toMatch(/returned a Nack/);
    expect(calls['nack']).toEqual([1]);
  });

  it('new Nack(true) puts the message back: it is delivered again', async () => {
    await connection.publish(exchange, 'nack-requeue', { n: 7 });
    await waitFor(() => (calls['nack-requeue'] ?? []).length === 2, 'the second delivery');
    expect(await raw.ready(q('nack-requeue'))).toBe(0);
  });

  it('errorBehavior ACK drops the failed message; REQUEUE delivers it again; NACK parks it', async () => {
    await connection.publish(exchange, 'ack-behavior', { n: 1 });
    await connection.publish(exchange, 'requeue-behavior', { n: 2 });
    await connection.publish(exchange, 'nack-behavior', { n: 3 });
    await waitFor(() => (calls['requeue-behavior'] ?? []).length === 3, 'three deliveries of the requeued message');
    await waitFor(async () => (await raw.ready(`${q('nack-behavior')}.dlq`)) === 1, 'the NACKed message parked');
    expect(calls['ack-behavior']).toEqual([1]);
    expect(await raw.ready(`${q('ack-behavior')}.dlq`)).toBe(0);
    expect(await raw.ready(q('ack-behavior'))).toBe(0);
    expect(calls['nack-behavior']).toEqual([3]);
  });

  it("errorHandler settles the message itself, through Warren's bookkeeping", async () => {
    await connection.publish(exchange, 'error-handler', { n: 1 });
    await connection.publish(exchange, 'error-handler', { n: 2 });
    await waitFor(() => errorHandlerSaw.length === 2, 'two errorHandler calls');
    expect(errorHandlerSaw.map((e) => e.error)).toEqual(['handled by errorHandler', 'handled by errorHandler']);
    await waitFor(async () => (await raw.ready(q('error-handler'))) === 0, 'nothing left in the queue');
    expect(await raw.ready(`${q('error-handler')}.dlq`)).toBe(0);
  });

  it('the module default errorBehavior applies to handlers that set none', async () => {
    await connection.publish(exchange, 'default-behavior', { n: 5 });
    await waitFor(() => (calls['default-behavior'] ?? []).length === 1, 'the handler call');
    await waitFor(async () => (await raw.ready(q('default-behavior'))) === 0, 'the message acked');
    expect(await raw.ready(`${q('default-behavior')}.dlq`)).toBe(0);
  });

  it('allowNonJsonMessages hands an undecodable body over as text', async () => {
    await raw.publish(exchange, 'text', '{"broken":', { contentType: 'application/json' });
    await waitFor(() => (calls['text'] ?? []).length === 1, 'the text delivery');
    expect(calls['text']).toEqual(['{"broken":']);
  });

  it("the module serializer and deserializer carry messages; a handler's own deserializer wins", async () => {
    await connection.publish(exchange, 'gzip', { zipped: true });
    await connection.publish(exchange, 'own-deserializer', { any: 1 });
    await waitFor(() => (calls['gzip'] ?? []).length === 1 && (calls['own-deserializer'] ?? []).length === 1, 'both deliveries');
    expect(calls['gzip']).toEqual([{ zipped: true }]);
    const expectedHex = gzipSync(Buffer.from(JSON.stringify({ any: 1 }))).toString('hex');
    expect((calls['own-deserializer'][0] as { raw: string }).raw.length).toBe(expectedHex.length);
  });

  it('defaultRpcErrorHandler answers a failed request instead of the Warren error reply', async () => {
    const reply = await connection.request<{ status: string; message: string }>({ exchange, routingKey: 'rpc.fail', payload: {} });
    expect(reply).toEqual({ status: 'error', message: 'rpc failed' });
  });

  it('an RPC handler returning Nack sends no reply (the caller times out)', async () => {
    await expect(connection.request({ exchange, routingKey: 'rpc.nack', payload: {}, timeout: 500 })).rejects.toBeInstanceOf(RpcTimeoutError);
    expect(calls['rpc.nack']).toEqual([true]);
  });

  it("a handler's options can come from the module's handlers, by name", async () => {
    await connection.publish(exchange, 'by-name', { n: 11 });
    await waitFor(() => (calls['by-name'] ?? []).length === 1, 'the delivery to the handler configured by name');
    expect(calls['by-name']).toEqual([11]);
  });
});
