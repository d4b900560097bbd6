import { Injectable } from '@nestjs/common';
import { SpanKind, context, metrics, propagation, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics';
import { BasicTracerProvider, InMemorySpanExporter, ReadableSpan, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';

/** Collects on demand: the test reads the instruments when it wants to. */
class OnDemandReader extends MetricReader {
  protected onForceFlush(): Promise<void> {
    return Promise.resolve();
  }

  protected onShutdown(): Promise<void> {
    return Promise.resolve();
  }
}
import { MessageProducer, RabbitPayload, RabbitRPC, RabbitSubscribe, RpcClient, WarrenModule } from 'nestjs-warren';
import { closeAll, startApp } from './support/app';
import { RawClient, unique, waitFor } from './support/broker';

/** One trace from a request through publish → consume → RPC → reply, with the SDK's in-memory exporter. */
describe('OpenTelemetry tracing (real broker)', () => {
  const exporter = new InMemorySpanExporter();
  const exchange = unique('otel');
  const queue = unique('q.otel');
  const rpcQueue = unique('q.otel.rpc');
  const failing = unique('q.otel.failing');
  const done: string[] = [];

  @Injectable()
  class Handlers {
    constructor(private readonly rpc: RpcClient) {}

    @RabbitSubscribe({ exchange, routingKey: 'order.created', queue })
    async onOrder(@RabbitPayload() order: { id: string }) {
      const { ok } = await this.rpc.request<{ ok: boolean }>(exchange, 'stock.check', order);
      if (ok) done.push(order.id);
    }

    @RabbitRPC({ exchange, routingKey: 'stock.check', queue: rpcQueue })
    check() {
      return { ok: true };
    }

    @RabbitSubscribe({ exchange, routingKey: 'always.fails', queue: failing, retry: { attempts: 2, initialDelayMs: 50 } })
    fail() {
      throw new Error('out of stock');
    }
  }

  const reader = new OnDemandReader();

  beforeAll(() => {
    metrics.setGlobalMeterProvider(new MeterProvider({ readers: [reader] }));
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
    propagation.setGlobalPropagator(new W3CTraceContextPropagator());
    trace.setGlobalTracerProvider(new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }));
  });

  afterAll(async () => {
    trace.disable();
    metrics.disable();
    propagation.disable();
    context.disable();
    const raw = await RawClient.connect();
    await raw.deleteQueues(queue, rpcQueue, failing);
    await raw.close();
  });

  it('links every hop into the trace of the request that started it, with messaging attributes', async () => {
    const app = await startApp({ imports: [WarrenModule.forRoot({ exchanges: [{ name: exchange, type: 'topic', options: { autoDelete: true } }], logger: false })], providers: [Handlers] });
    try {
      exporter.reset();
      const tracer = trace.getTracer('test');
      const traceId = await tracer.startActiveSpan('POST /orders', async (root) => {
        await app.get(MessageProducer).publish(exchange, 'order.created', { id: 'o-1' });
        root.end();
        return root.spanContext().traceId;
      });
      await waitFor(() => done.includes('o-1'), 'the order handled');
      await waitFor(() => exporter.getFinishedSpans().filter((s) => s.name.startsWith('process')).length === 2, 'both process spans');
      const spans = exporter.getFinishedSpans();
      const byName = (name: string, kind: SpanKind) => spans.find((s) => s.name === name && s.kind === kind) as ReadableSpan;
      const publish = byName(`send ${exchange}`, SpanKind.PRODUCER);
      const consume = byName(`process ${queue}`, SpanKind.CONSUMER);
      const request = byName(`send ${exchange}`, SpanKind.CLIENT);
      const serve = byName(`process ${rpcQueue}`, SpanKind.CONSUMER);
      for (const span of [publish, consume, request, serve]) expect(span.spanContext().traceId).toBe(traceId);
      expect(consume.parentSpanContext?.spanId).toBe(publish.spanContext().spanId);
      expect(consume.links.map((l) => l.context.spanId)).toEqual([publish.spanContext().spanId]);
      expect(request.parentSpanContext?.spanId).toBe(consume.spanContext().spanId);
      expect(serve.parentSpanContext?.spanId).toBe(request.spanContext().spanId);
      expect(publish.attributes).toMatchObject({
        'messaging.system': 'rabbitmq',
        'messaging.destination.name': exchange,
        'messaging.rabbitmq.destination.routing_key': 'order.created',
        'messaging.operation.type': 'send',
      });
      expect(typeof publish.attributes['messaging.message.id']).toBe('string');
      expect(consume.attributes).toMatchObject({ 'messaging.destination.name': queue, 'messaging.operation.type': 'process' });
    } finally {
      await closeAll(app);
    }
  });

  it('records retries and dead-lettering as span events, and the failure as the span status', async () => {
    const app = await startApp({ imports: [WarrenModule.forRoot({ exchanges: [{ name: exchange, type: 'topic', options: { autoDelete: true } }], logger: false })], providers: [Handlers] });
    try {
      exporter.reset();
      await app.get(MessageProducer).publish(exchange, 'always.fails', { id: 'o-2' });
      await waitFor(() => exporter.getFinishedSpans().filter((s) => s.name === `process ${failing}`).length === 2, 'two attempts');
      const attempts = exporter.getFinishedSpans().filter((s) => s.name === `process ${failing}`);
      expect(attempts.map((s) => s.events.map((e) => e.name))).toEqual([['exception', 'warren.retry'], ['exception', 'warren.dead_lettered']]);
      expect(attempts.every((s) => s.status.code === 2 && s.status.message === 'out of stock')).toBe(true);
      expect(new Set(attempts.map((s) => s.spanContext().traceId)).size).toBe(1); // the retry copy carries the context
    } finally {
      await closeAll(app);
    }
  });

  it('counts sent and consumed messages, retries and dead letters, with durations', async () => {
    const { resourceMetrics } = await reader.collect();
    const all = resourceMetrics.scopeMetrics.filter((scope) => scope.scope.name === 'nestjs-warren').flatMap((scope) => scope.metrics);
    const sum = (name: string, destination?: string) =>
      all
        .filter((m) => m.descriptor.name === name)
        .flatMap((m) => m.dataPoints as Array<{ value: unknown; attributes: Record<string, unknown> }>)
        .filter((p) => destination === undefined || p.attributes['messaging.destination.name'] === destination)
        .reduce((total, p) => total + (typeof p.value === 'number' ? p.value : ((p.value as { count: number }).count ?? 0)), 0);
    expect(sum('messaging.client.sent.messages', exchange)).toBeGreaterThanOrEqual(3); // two publishes and an RPC request
    expect(sum('messaging.client.consumed.messages', queue)).toBe(1);
    expect(sum('messaging.client.consumed.messages', failing)).toBe(2);
    expect(sum('messaging.process.duration', rpcQueue)).toBe(1); // a histogram: one recorded duration
    expect(sum('messaging.client.operation.duration', exchange)).toBeGreaterThanOrEqual(3);
    expect(sum('warren.messages.retried', failing)).toBe(1);
    expect(sum('warren.messages.dead_lettered', failing)).toBe(1);
    // Gauges read live producers and consumers: one app is open now.
    const app = await startApp({ imports: [WarrenModule.forRoot({ exchanges: [{ name: exchange, type: 'topic', options: { autoDelete: true } }], logger: false, connection: { name: 'otel-gauges' } })], providers: [Handlers] });
    try {
      const live = (await reader.collect()).resourceMetrics.scopeMetrics.flatMap((scope) => scope.metrics);
      const points = (name: string) => live.filter((m) => m.descriptor.name === name).flatMap((m) => m.dataPoints as Array<{ value: unknown; attributes: Record<string, unknown> }>);
      expect(points('warren.publish.buffered')).toContainEqual(expect.objectContaining({ value: 0, attributes: expect.objectContaining({ 'warren.source': 'otel-gauges' }) }));
      expect(points('warren.messages.in_flight')).toContainEqual(expect.objectContaining({ value: 0, attributes: expect.objectContaining({ 'warren.source': queue }) }));
    } finally {
      await closeAll(app);
    }
  });
});
