import { INestApplication, Injectable } from '@nestjs/common';
import { context, metrics, propagation, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { ConsumeMessage } from 'amqplib';
import { IsInt } from 'class-validator';
import { NonRetryableError, RabbitPayload, RabbitRPC, RemoteError, RpcClient, WarrenModule } from 'nestjs-warren';
import { closeAll, startApp } from './support/app';
import { RawClient, unique, waitFor } from './support/broker';

/** Collects on demand: the test reads the instruments when it wants to. */
class OnDemandReader extends MetricReader {
  protected onForceFlush(): Promise<void> {
    return Promise.resolve();
  }

  protected onShutdown(): Promise<void> {
    return Promise.resolve();
  }
}

class CountDto {
  @IsInt()
  n!: number;
}

const CODES = 500;

/**
 * Finding 10 of issue 21: the metrics' `error.type` was the error's `code`, whatever it was — a
 * remote peer's included — so 500 distinct codes made 500 series. It is now Warren's own code, a
 * built-in error class's name, `remote_error` for a RemoteError, or `_OTHER`; spans carry the same.
 */
describe('metric and span error.type values are bounded (real broker)', () => {
  const exchange = unique('labels');
  const rpcQueue = unique('q.labels.rpc');
  const peerQueue = unique('q.labels.peer');
  const reader = new OnDemandReader();
  const exporter = new InMemorySpanExporter();
  let app: INestApplication;
  let peer: RawClient;

  @Injectable()
  class Failing {
    @RabbitRPC({ exchange, routingKey: 'fail.coded', queue: rpcQueue })
    coded(@RabbitPayload() body: CountDto) {
      throw Object.assign(new Error(`failure ${body.n}`), { code: `APP_CODE_${body.n}` });
    }

    @RabbitRPC({ exchange, routingKey: 'fail.type', queue: rpcQueue })
    typeError() {
      throw new TypeError('not a function');
    }

    @RabbitRPC({ exchange, routingKey: 'fail.nonretryable', queue: rpcQueue })
    nonRetryable() {
      throw new NonRetryableError('order gone');
    }

    @RabbitRPC({ exchange, routingKey: 'fail.named', queue: rpcQueue })
    named() {
      throw Object.assign(new Error('custom'), { name: 'MyVeryOwnError' });
    }
  }

  beforeAll(async () => {
    metrics.setGlobalMeterProvider(new MeterProvider({ readers: [reader] }));
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
    propagation.setGlobalPropagator(new W3CTraceContextPropagator());
    trace.setGlobalTracerProvider(new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }));
    app = await startApp({
      imports: [WarrenModule.forRoot({ exchanges: [{ name: exchange, type: 'topic', options: { autoDelete: true } }], logger: false, rpc: { prefetch: 200 } })],
      providers: [Failing],
    });
    // A peer that is not Warren: it answers each request with an error code it makes up.
    peer = await RawClient.connect();
    await peer.channel.assertQueue(peerQueue, { durable: false });
    await peer.channel.bindQueue(peerQueue, exchange, 'peer.#');
    await peer.channel.prefetch(200);
    await peer.channel.consume(peerQueue, (m: ConsumeMessage | null) => {
      if (!m) return;
      const { n } = JSON.parse(m.content.toString()) as { n: number };
      peer.channel.publish('', m.properties.replyTo, Buffer.from(JSON.stringify({ code: `PEER_CODE_${n}`, message: `peer failure ${n}` })), {
        correlationId: m.properties.correlationId,
        contentType: 'application/json',
        headers: { 'warren-status': 'error' },
      });
      peer.channel.ack(m);
    });
  });

  afterAll(async () => {
    await closeAll(app);
    trace.disable();
    metrics.disable();
    propagation.disable();
    context.disable();
    await peer.deleteQueues(rpcQueue, peerQueue);
    await peer.close();
  });

  async function errorTypes(metric: string, destination: string): Promise<Map<string, number>> {
    const { resourceMetrics } = await reader.collect();
    const points = resourceMetrics.scopeMetrics
      .filter((scope) => scope.scope.name === 'nestjs-warren')
      .flatMap((scope) => scope.metrics)
      .filter((m) => m.descriptor.name === metric)
      .flatMap((m) => m.dataPoints as Array<{ value: unknown; attributes: Record<string, unknown> }>)
      .filter((p) => p.attributes['messaging.destination.name'] === destination && p.attributes['error.type'] !== undefined);
    const series = new Map<string, number>();
    for (const p of points) {
      const count = typeof p.value === 'number' ? p.value : (p.value as { count: number }).count;
      series.set(String(p.attributes['error.type']), (series.get(String(p.attributes['error.type'])) ?? 0) + count);
    }
    return series;
  }

  async function callAll(routingKey: string, count: number): Promise<unknown[]> {
    const rpc = app.get(RpcClient);
    return Promise.all(Array.from({ length: count }, (_, n) => rpc.request(exchange, routingKey, { n }).catch((e: unknown) => e)));
  }

  it(`${CODES} distinct codes from a non-Warren peer make one series: remote_error`, async () => {
    const errors = await callAll('peer.get', CODES);
    expect(new Set(errors.map((e) => (e as RemoteError).code)).size).toBe(CODES);
    const sent = await errorTypes('messaging.client.sent.messages', exchange);
    expect(Object.fromEntries(sent)).toEqual({ remote_error: CODES });
    const durations = await errorTypes('messaging.client.operation.duration', exchange);
    expect(Object.fromEntries(durations)).toEqual({ remote_error: CODES });
  });

  it(`${CODES} distinct codes thrown by a Warren handler: Error (its class) on the server, remote_error at the caller`, async () => {
    const before = (await errorTypes('messaging.client.sent.messages', exchange)).get('remote_error') ?? 0;
    const errors = await callAll('fail.coded', CODES);
    expect(new Set(errors.map((e) => (e as RemoteError).code)).size).toBe(CODES);
    await waitFor(async () => ((await errorTypes('messaging.client.consumed.messages', rpcQueue)).get('Error') ?? 0) === CODES, 'every request counted');
    expect([...(await errorTypes('messaging.client.consumed.messages', rpcQueue)).keys()]).toEqual(['Error']);
    expect([...(await errorTypes('messaging.process.duration', rpcQueue)).keys()]).toEqual(['Error']);
    expect((await errorTypes('messaging.client.sent.messages', exchange)).get('remote_error')).toBe(before + CODES);
  });

  it("built-in error classes by name, Warren's own codes, anything else _OTHER — on metrics and on spans", async () => {
    await callAll('fail.type', 1);
    await callAll('fail.nonretryable', 1);
    await callAll('fail.named', 1);
    const invalid = await app.get(RpcClient).request(exchange, 'fail.coded', { n: 'x' }).catch((e: unknown) => e);
    expect((invalid as RemoteError).code).toBe('VALIDATION_FAILED');
    const expected = { Error: CODES, _OTHER: 1, TypeError: 1, NON_RETRYABLE: 1, VALIDATION_FAILED: 1 };
    await waitFor(async () => ((await errorTypes('messaging.client.consumed.messages', rpcQueue)).get('VALIDATION_FAILED') ?? 0) === 1, 'the invalid request counted');
    expect(Object.fromEntries(await errorTypes('messaging.client.consumed.messages', rpcQueue))).toEqual(expected);

    // Spans of every call so far (2 × 500 coded failures and these four): the same bounded values.
    const total = 2 * CODES + 4; // client spans: the peer's 500, the handler's 500, these four
    await waitFor(() => exporter.getFinishedSpans().filter((span) => span.status.code === 2).length === 2 * total - CODES, 'every failed span');
    const failed = exporter.getFinishedSpans().filter((span) => span.status.code === 2);
    const typesOf = (name: string) => {
      const counts: Record<string, number> = {};
      for (const span of failed.filter((f) => f.name === name)) counts[String(span.attributes['error.type'])] = (counts[String(span.attributes['error.type'])] ?? 0) + 1;
      return counts;
    };
    expect(typesOf(`process ${rpcQueue}`)).toEqual(expected);
    expect(typesOf(`send ${exchange}`)).toEqual({ remote_error: total });
    const exceptionTypes = new Set(failed.flatMap((span) => span.events.map((e) => String(e.attributes?.['exception.type']))));
    expect([...exceptionTypes].filter((t) => /CODE_/.test(t))).toEqual([]);
    expect(exceptionTypes.size).toBeLessThanOrEqual(6);
  });
});
