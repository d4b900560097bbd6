import { INestApplication, Injectable, LoggerService } from '@nestjs/common';
import { context, propagation, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { BasicTracerProvider, InMemorySpanExporter, ReadableSpan, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { ConsumeMessage } from 'amqplib';
import { LogRecord, RabbitRPC, RabbitSubscribe, RemoteError, RpcClient, WarrenLogShipper, WarrenModule, createWarren } from 'nestjs-warren';
import { redactText } from '../libs/warren/src/logging/redact';
import { closeAll, startApp } from './support/app';
import { RawClient, unique, waitFor } from './support/broker';

/** What a careless handler puts in an error: a connection string and an app-specific token. */
const LEAKY = 'order store failed at postgres://app:SECRET@db/orders (token tok_9f8e7d)';
const SECRETS = /SECRET|tok_9f8e7d/;
/** The application's own rule: its tokens are secrets too. */
const redactTokens = (text: string) => text.replace(/tok_[a-z0-9]+/g, 'tok_***');

class CapturingLogger implements LoggerService {
  readonly lines: string[] = [];
  log = (...args: unknown[]) => this.keep(args);
  warn = (...args: unknown[]) => this.keep(args);
  error = (...args: unknown[]) => this.keep(args);
  debug = (...args: unknown[]) => this.keep(args);
  verbose = (...args: unknown[]) => this.keep(args);
  private keep(args: unknown[]): void {
    this.lines.push(args.map(String).join(' '));
  }
}

/** Every text a span carries about its failure: the status message and each event's attributes. */
function spanTexts(span: ReadableSpan): string[] {
  return [span.status.message ?? '', ...span.events.flatMap((event) => Object.values(event.attributes ?? {}).map(String))];
}

/**
 * Finding 9 of issue 21: a handler's error text went out as it was written — in the parked
 * message's `warren-error` header, in the caller's RemoteError, in spans, in log lines and shipped
 * log records. Each of those now shows `***` for the password, and the app's `redact` hook runs too.
 */
describe('error texts are redacted wherever they leave the process (real broker)', () => {
  const exchange = unique('redact');
  const queue = unique('q.redact');
  const rpcQueue = unique('q.redact.rpc');
  const rawRpcQueue = unique('q.redact.raw-rpc');
  const logExchange = unique('redact.logs');
  const logQueue = unique('q.redact.logs');
  const exporter = new InMemorySpanExporter();
  const logger = new CapturingLogger();
  let app: INestApplication;
  let raw: RawClient;
  let replies: RawClient;

  @Injectable()
  class LeakyHandlers {
    @RabbitSubscribe({ exchange, routingKey: 'order.store', queue, retry: false })
    store() {
      throw new Error(LEAKY);
    }

    @RabbitRPC({ exchange, routingKey: 'order.get', queue: rpcQueue })
    get() {
      throw Object.assign(new Error(LEAKY), { code: 'STORE_FAILED', details: { tried: ['postgres://app:SECRET@db/orders'], token: 'tok_9f8e7d' } });
    }
  }

  beforeAll(async () => {
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
    propagation.setGlobalPropagator(new W3CTraceContextPropagator());
    trace.setGlobalTracerProvider(new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }));
    raw = await RawClient.connect();
    await raw.channel.assertExchange(logExchange, 'topic', { autoDelete: true });
    await raw.channel.assertQueue(logQueue, { durable: false });
    await raw.channel.bindQueue(logQueue, logExchange, 'logs.#');
    app = await startApp({
      imports: [
        WarrenModule.forRoot({
          exchanges: [{ name: exchange, type: 'topic', options: { autoDelete: true } }],
          logger,
          redact: redactTokens,
        }),
      ],
      providers: [LeakyHandlers, WarrenLogShipper],
    });
    // A peer that is not Warren: it answers every request with an unredacted error.
    replies = await RawClient.connect();
    await replies.channel.assertQueue(rawRpcQueue, { durable: false });
    await replies.channel.bindQueue(rawRpcQueue, exchange, 'peer.get');
    await replies.channel.consume(rawRpcQueue, (m: ConsumeMessage | null) => {
      if (!m) return;
      replies.channel.publish('', m.properties.replyTo, Buffer.from(JSON.stringify({ code: 'PEER_FAILED', message: LEAKY })), {
        correlationId: m.properties.correlationId,
        contentType: 'application/json',
        headers: { 'warren-status': 'error' },
      });
      replies.channel.ack(m);
    });
  });

  afterAll(async () => {
    await closeAll(app);
    trace.disable();
    propagation.disable();
    context.disable();
    await raw.deleteQueues(queue, rpcQueue, rawRpcQueue, logQueue);
    await raw.close();
    await replies.close();
  });

  it("the parked message's warren-error header", async () => {
    await raw.publish(exchange, 'order.store', '{"id":1}', { contentType: 'application/json' });
    await waitFor(async () => (await raw.ready(`${queue}.dlq`)) === 1, 'the parked message');
    const [letter] = await raw.drain(`${queue}.dlq`);
    expect(letter.properties.headers?.['warren-error']).toBe('order store failed at postgres://app:***@db/orders (token tok_***)');
  });

  it('the RemoteError an RPC caller gets: message and details', async () => {
    const error = (await app.get(RpcClient).request(exchange, 'order.get', { id: 1 }).catch((e: unknown) => e)) as RemoteError;
    expect(error).toBeInstanceOf(RemoteError);
    expect(error.code).toBe('STORE_FAILED');
    expect(error.message).toBe('order store failed at postgres://app:***@db/orders (token tok_***)');
    expect(error.details).toEqual({ tried: ['postgres://app:***@db/orders'], token: 'tok_***' });
  });

  it("spans: the process spans' status and exception events, and the client span of a request a non-Warren peer failed", async () => {
    exporter.reset();
    await raw.publish(exchange, 'order.store', '{"id":2}', { contentType: 'application/json' });
    await app.get(RpcClient).request(exchange, 'order.get', { id: 2 }).catch(() => undefined);
    const fromPeer = await app.get(RpcClient).request(exchange, 'peer.get', { id: 3 }).catch((e: unknown) => e);
    expect(fromPeer).toBeInstanceOf(RemoteError);
    await waitFor(() => exporter.getFinishedSpans().filter((s) => s.status.code === 2).length >= 3, 'three failed spans');
    const failed = exporter.getFinishedSpans().filter((s) => s.status.code === 2);
    expect(failed.map((s) => s.name).sort()).toEqual(expect.arrayContaining([`process ${queue}`, `process ${rpcQueue}`, `send ${exchange}`]));
    for (const span of failed) {
      const texts = spanTexts(span);
      expect([span.name, texts.filter((t) => SECRETS.test(t))]).toEqual([span.name, []]);
      expect(texts.some((t) => t.includes('postgres://app:***@db/orders'))).toBe(true);
    }
  });

  it("Warren's log lines, and the records a log shipper sends", async () => {
    await waitFor(() => logger.lines.some((line) => line.includes('postgres://app:***@db/orders')), "Warren's line about the failure");
    expect(logger.lines.filter((line) => SECRETS.test(line))).toEqual([]);

    const shipper = new WarrenLogShipper(app.get(WarrenLogShipper)['producer'], { exchange: logExchange, print: new CapturingLogger() });
    shipper.error(`payment failed: ${LEAKY}`, `Error: ${LEAKY}\n    at pay()`, 'Orders');
    await waitFor(async () => (await raw.ready(logQueue)) === 1, 'the shipped record');
    const [message] = await raw.drain(logQueue);
    const record = JSON.parse(message.content.toString()) as LogRecord;
    expect(record.message).toBe('payment failed: order store failed at postgres://app:***@db/orders (token tok_***)');
    expect(record.stack).toBe('Error: order store failed at postgres://app:***@db/orders (token tok_***)\n    at pay()');
  });
});

describe('the redact option lives as long as the Warren instance', () => {
  it('applies from start to close, in a module and standalone', async () => {
    expect(redactText('tok_abc')).toBe('tok_abc');
    const app = await startApp({ imports: [WarrenModule.forRoot({ logger: false, redact: redactTokens })] });
    try {
      expect(redactText('tok_abc')).toBe('tok_***');
    } finally {
      await closeAll(app);
    }
    expect(redactText('tok_abc')).toBe('tok_abc');

    const warren = await createWarren({ logger: false, redact: redactTokens });
    const other = await createWarren({ logger: false, redact: redactTokens, connection: { name: 'warren-redact-2' } });
    try {
      expect(redactText('tok_abc')).toBe('tok_***');
      await warren.close();
      // Another instance with the same hook keeps it until it closes too.
      expect(redactText('tok_abc')).toBe('tok_***');
    } finally {
      await warren.close();
      await other.close();
    }
    expect(redactText('tok_abc')).toBe('tok_abc');
  });
});
