import type { Attributes, Counter, Histogram } from '@opentelemetry/api';
import { errorType } from './error-type';
import { otelApi } from './otel-api';

/**
 * Metrics through `@opentelemetry/api` (no-ops without an SDK, nothing without the API): the messaging semantic
 * conventions' counters and durations, plus Warren's own retries and dead letters.
 */
interface Instruments {
  sent: Counter;
  consumed: Counter;
  processDuration: Histogram;
  operationDuration: Histogram;
  retried: Counter;
  deadLettered: Counter;
  rpcExpired: Counter;
  replyToRefused: Counter;
  circuitTrips: Counter;
}

/** What the gauges read: each producer's buffer and each consumer's in-flight count, while it is open. */
interface Source {
  gauge: 'buffered' | 'in_flight';
  name: string;
  read(): number;
}
const sources = new Set<Source>();

/** Adds a gauge reading until the returned function is called (on close). */
export function observe(source: Source): () => void {
  sources.add(source);
  return () => sources.delete(source);
}

const api = otelApi();
let instruments: Instruments | undefined;
let provider: unknown;

function meters(): Instruments | undefined {
  if (!api) return undefined;
  // Re-created when a different MeterProvider is registered (tests, late SDK start).
  const current = api.metrics.getMeterProvider();
  if (instruments && provider === current) return instruments;
  const meter = api.metrics.getMeter('nestjs-warren');
  provider = current;
  instruments = {
    sent: meter.createCounter('messaging.client.sent.messages', { description: 'Messages published (confirmed or not)' }),
    consumed: meter.createCounter('messaging.client.consumed.messages', { description: 'Messages delivered to a handler' }),
    processDuration: meter.createHistogram('messaging.process.duration', { unit: 's', description: 'Time a handler took per message' }),
    operationDuration: meter.createHistogram('messaging.client.operation.duration', { unit: 's', description: 'Publish until confirm; RPC until reply' }),
    retried: meter.createCounter('warren.messages.retried', { description: 'Failed messages sent to a retry queue' }),
    deadLettered: meter.createCounter('warren.messages.dead_lettered', { description: 'Messages parked in a dead-letter queue' }),
    rpcExpired: meter.createCounter('warren.rpc.expired', { description: "RPC requests skipped because their caller's deadline had passed" }),
    replyToRefused: meter.createCounter('warren.rpc.reply_to_refused', { description: 'RPC requests refused (acked, not run) for their reply_to' }),
    circuitTrips: meter.createCounter('warren.circuit_breaker.trips', { description: "Times a handler's circuit breaker opened (a failed half-open trial included)" }),
  };
  for (const [gauge, name, description] of [
    ['in_flight', 'warren.messages.in_flight', 'Deliveries being handled, per queue'],
    ['buffered', 'warren.publish.buffered', 'Publishes waiting for a channel or a confirm, per connection'],
  ] as const) {
    meter.createObservableGauge(name, { description }).addCallback((result) => {
      for (const source of sources) if (source.gauge === gauge) result.observe(source.read(), { 'messaging.system': 'rabbitmq', 'warren.source': source.name });
    });
  }
  return instruments;
}

const base = (destination: string, operation: string, error?: unknown): Attributes => ({
  'messaging.system': 'rabbitmq',
  'messaging.destination.name': destination,
  'messaging.operation.name': operation,
  // Bounded: a peer's or a handler's own codes would make a series each.
  ...(error !== undefined ? { 'error.type': errorType(error) } : {}),
});

/** A publish (or an RPC request) finished: counted, and its duration from send to confirm (or reply). */
export function recordSend(destination: string, operation: 'send' | 'request', startedAt: number, error?: unknown): void {
  const m = meters();
  if (!m) return;
  m.sent.add(1, base(destination, operation, error));
  m.operationDuration.record((performance.now() - startedAt) / 1000, base(destination, operation, error));
}

/** A delivery was handled (or failed): counted, with the handler's duration. */
export function recordProcess(queue: string, startedAt: number, error?: unknown): void {
  const m = meters();
  if (!m) return;
  m.consumed.add(1, base(queue, 'process', error));
  m.processDuration.record((performance.now() - startedAt) / 1000, base(queue, 'process', error));
}

export function recordRetry(queue: string): void {
  meters()?.retried.add(1, base(queue, 'retry'));
}

export function recordDeadLetter(queue: string): void {
  meters()?.deadLettered.add(1, base(queue, 'dead_letter'));
}

export function recordRpcExpired(queue: string): void {
  meters()?.rpcExpired.add(1, base(queue, 'process'));
}

export function recordReplyToRefused(queue: string): void {
  meters()?.replyToRefused.add(1, base(queue, 'process'));
}

/** A handler's circuit breaker opened: its queue is not consumed for a while. */
export function recordCircuitTrip(queue: string, handler: string): void {
  meters()?.circuitTrips.add(1, { ...base(queue, 'process'), 'warren.handler': handler });
}
