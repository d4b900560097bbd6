import type { Context, Span, TextMapGetter, TextMapSetter } from '@opentelemetry/api';
import type { ConsumeMessage } from 'amqplib';
import { redactText } from '../logging/redact';
import { errorType } from './error-type';
import { OtelApi, otelApi } from './otel-api';
import { recordProcess, recordSend } from './warren-metrics';
import { amqplibFile } from '../connection/amqplib-files';

/**
 * OpenTelemetry through `@opentelemetry/api` only (an optional peer, see otel-api.ts): with no SDK
 * registered, or no API installed, every call here is a no-op. Span names and attributes follow
 * the messaging semantic conventions for RabbitMQ.
 */
const api = otelApi();

// What the API hands out while no SDK is registered (a fresh proxy has no delegate yet).
const NOOP_TRACER_PROVIDER = api && new api.ProxyTracerProvider().getDelegate();
let meterProviderSeen: unknown;
let meterIsNoop = false;

/**
 * The API while a tracer provider, propagator or meter provider is registered; undefined while
 * spans, context and metrics would all be no-ops (or the API is not installed), so the hot path
 * skips building them (attribute objects, a span, a `finally` promise per message). Checked per
 * call through the public API, so an SDK started later is picked up at once.
 */
function telemetry(): OtelApi | undefined {
  if (!api) return undefined;
  const provider = api.trace.getTracerProvider();
  if (!(provider instanceof api.ProxyTracerProvider) || provider.getDelegate() !== NOOP_TRACER_PROVIDER) return api;
  if (api.propagation.fields().length > 0) return api;
  const meterProvider = api.metrics.getMeterProvider();
  if (meterProvider !== meterProviderSeen) {
    meterProviderSeen = meterProvider;
    meterIsNoop = meterProvider.getMeter('nestjs-warren') === api.createNoopMeter();
  }
  return meterIsNoop ? undefined : api;
}

const NOTHING_TO_END = { end: () => undefined };

const setter: TextMapSetter<Record<string, unknown>> = {
  set: (carrier, key, value) => {
    carrier[key] = value;
  },
};

const getter: TextMapGetter<Record<string, unknown> | undefined> = {
  get: (carrier, key) => {
    const value = carrier?.[key];
    return typeof value === 'string' ? value : Buffer.isBuffer(value) ? value.toString('utf8') : undefined;
  },
  keys: (carrier) => Object.keys(carrier ?? {}),
};

/**
 * When @opentelemetry/instrumentation-amqplib has patched amqplib, it injects and extracts trace
 * context itself; Warren then leaves the headers alone so the context is not injected twice.
 */
export function amqplibInstrumented(): boolean {
  return Boolean(channelModel().Channel?.prototype.publish?.__wrapped);
}

type ChannelModelModule = { Channel?: { prototype: { publish?: { __wrapped?: boolean } } } };
let loaded: ChannelModelModule | undefined;
function channelModel(): ChannelModelModule {
  // amqplib's promise API module, the one the instrumentation wraps (untyped: no declarations for it).
  loaded ??= amqplibFile<ChannelModelModule>('channel_model');
  return loaded;
}

function attributes(system: { destination: string; routingKey: string; messageId?: string; operation: string }) {
  return {
    'messaging.system': 'rabbitmq',
    'messaging.destination.name': system.destination,
    'messaging.rabbitmq.destination.routing_key': system.routingKey,
    'messaging.operation.type': system.operation,
    ...(system.messageId ? { 'messaging.message.id': system.messageId } : {}),
  };
}

/**
 * A `send` span (a publish, or an RPC request with `kind: client`), whose context travels in
 * `headers` (a copy: the caller's object is never changed). Returns the headers to send and the
 * function that ends the span when the broker confirmed (or the reply came).
 */
export function startSend(
  target: { exchange: string; routingKey: string; messageId?: string },
  headers: Record<string, unknown> | undefined,
  kind: 'producer' | 'client' = 'producer',
): { headers: Record<string, unknown> | undefined; end(error?: unknown): void } {
  const otel = telemetry();
  if (!otel) return { headers, end: NOTHING_TO_END.end };
  const destination = target.exchange || target.routingKey;
  const startedAt = performance.now();
  const measured = (error?: unknown) => recordSend(destination, kind === 'client' ? 'request' : 'send', startedAt, error);
  if (amqplibInstrumented()) return { headers, end: measured };
  const span = otel.trace.getTracer('nestjs-warren').startSpan(`send ${destination}`, {
    kind: kind === 'client' ? otel.SpanKind.CLIENT : otel.SpanKind.PRODUCER,
    attributes: attributes({ destination, routingKey: target.routingKey, messageId: target.messageId, operation: 'send' }),
  });
  return {
    headers: withContext(otel, otel.trace.setSpan(otel.context.active(), span), headers),
    end: (error) => {
      measured(error);
      endSpan(otel, span, error);
    },
  };
}

/**
 * Runs a delivery's handling in a `process` span: a child of the producer's context carried in
 * the headers (so one trace runs from the first request through every hop), with a link to it.
 */
export function withProcessSpan<T>(queue: string, message: ConsumeMessage, run: () => Promise<T>): Promise<T> {
  const otel = telemetry();
  if (!otel) return run();
  const startedAt = performance.now();
  const measured = () => recordProcess(queue, startedAt, failures.get(message));
  if (amqplibInstrumented()) return run().finally(measured);
  const parent: Context = otel.propagation.extract(otel.ROOT_CONTEXT, message.properties.headers, getter);
  const producer = otel.trace.getSpanContext(parent);
  const span = otel.trace.getTracer('nestjs-warren').startSpan(
    `process ${queue}`,
    {
      kind: otel.SpanKind.CONSUMER,
      attributes: attributes({ destination: queue, routingKey: message.fields.routingKey, messageId: message.properties.messageId, operation: 'process' }),
      links: producer ? [{ context: producer }] : [],
    },
    parent,
  );
  return otel.context.with(otel.trace.setSpan(parent, span), run).finally(() => {
    measured();
    span.end();
  });
}

/** Headers for an RPC reply, carrying the current (process) span's context. */
export function replyHeaders(headers?: Record<string, unknown>): Record<string, unknown> | undefined {
  const otel = telemetry();
  return !otel || amqplibInstrumented() ? headers : withContext(otel, otel.context.active(), headers);
}

/**
 * `headers` plus the propagator's fields for `ctx`, as a copy (the caller's object is never
 * changed); `headers` itself when the propagator adds nothing — no SDK registered, the usual case
 * on the hot path — so no object is allocated per message for nothing.
 */
function withContext(otel: OtelApi, ctx: Context, headers: Record<string, unknown> | undefined): Record<string, unknown> | undefined {
  const fields: Record<string, unknown> = {};
  otel.propagation.inject(ctx, fields, setter);
  for (const _ in fields) return { ...headers, ...fields };
  return headers;
}

/** Handler failures by message, for the process metrics (the span has its own record). */
const failures = new WeakMap<ConsumeMessage, unknown>();

/** Marks the current delivery's span failed, or records what Warren did with it (retry, dead letter). */
export function markFailed(error: unknown, message?: ConsumeMessage): void {
  if (message) failures.set(message, error);
  const span = api?.trace.getActiveSpan();
  if (span) recordFailure(api as OtelApi, span, error);
}

export function spanEvent(name: string, attributes: Record<string, string | number>): void {
  api?.trace.getActiveSpan()?.addEvent(name, attributes);
}

function endSpan(otel: OtelApi, span: Span, error?: unknown): void {
  if (error !== undefined) recordFailure(otel, span, error);
  span.end();
}

/**
 * A failure on a span: the exception event (class name, message, stack) and the status message go
 * through redactText, as the handler's or peer's text may hold credentials; `error.type` is bounded
 * (see errorType), so a peer's codes never reach an attribute.
 */
function recordFailure(otel: OtelApi, span: Span, error: unknown): void {
  const message = redactText(error instanceof Error ? error.message : String(error));
  const stack = error instanceof Error && error.stack ? redactText(error.stack) : undefined;
  span.recordException({ name: error instanceof Error ? error.name : 'Error', message, stack });
  span.setAttribute('error.type', errorType(error));
  span.setStatus({ code: otel.SpanStatusCode.ERROR, message });
}
