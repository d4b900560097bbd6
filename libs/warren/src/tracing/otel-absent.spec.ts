import type { ConsumeMessage } from 'amqplib';

/** Warren's telemetry with `@opentelemetry/api` (an optional peer) not installed at all. */
type Tracing = typeof import('./warren-tracing');
type Metrics = typeof import('./warren-metrics');

function withoutOpenTelemetry(): { tracing: Tracing; metrics: Metrics } {
  let loaded: { tracing: Tracing; metrics: Metrics } | undefined;
  jest.isolateModules(() => {
    jest.doMock('@opentelemetry/api', () => {
      throw Object.assign(new Error("Cannot find module '@opentelemetry/api' from 'otel-api.ts'"), { code: 'MODULE_NOT_FOUND' });
    });
    loaded = { tracing: require('./warren-tracing') as Tracing, metrics: require('./warren-metrics') as Metrics }; // eslint-disable-line @typescript-eslint/no-require-imports
  });
  return loaded as { tracing: Tracing; metrics: Metrics };
}

describe('telemetry without @opentelemetry/api installed', () => {
  afterEach(() => jest.dontMock('@opentelemetry/api'));

  it('publishes with the headers as given and handles deliveries as if no SDK were registered', async () => {
    const { tracing, metrics } = withoutOpenTelemetry();
    const headers = { a: 1 };
    const send = tracing.startSend({ exchange: 'x', routingKey: 'k' }, headers, 'client');
    expect(send.headers).toBe(headers);
    expect(() => send.end(new Error('nack'))).not.toThrow();
    const message = { fields: { routingKey: 'k' }, properties: { headers: {} }, content: Buffer.alloc(0) } as unknown as ConsumeMessage;
    await expect(tracing.withProcessSpan('q', message, async () => 42)).resolves.toBe(42);
    expect(tracing.replyHeaders(headers)).toBe(headers);
    expect(() => tracing.markFailed(new Error('handler failed'), message)).not.toThrow();
    expect(() => tracing.spanEvent('warren.retry', { attempt: 1 })).not.toThrow();
    for (const record of [metrics.recordRetry, metrics.recordDeadLetter, metrics.recordRpcExpired, metrics.recordReplyToRefused]) expect(() => record('q')).not.toThrow();
    expect(() => metrics.recordSend('x', 'send', 0)).not.toThrow();
    expect(() => metrics.recordProcess('q', 0, new Error('x'))).not.toThrow();
  });
});
