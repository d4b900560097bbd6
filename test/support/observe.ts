import type { LoggerService } from '@nestjs/common';
import { metrics } from '@opentelemetry/api';
import { MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics';

/** A logger that keeps what it is given, per level, for assertions on what Warren logged. */
export class CapturingLogger implements LoggerService {
  readonly lines: Array<{ level: string; message: string }> = [];
  log(message: unknown): void {
    this.lines.push({ level: 'log', message: String(message) });
  }
  warn(message: unknown): void {
    this.lines.push({ level: 'warn', message: String(message) });
  }
  error(message: unknown): void {
    this.lines.push({ level: 'error', message: String(message) });
  }
  debug(message: unknown): void {
    this.lines.push({ level: 'debug', message: String(message) });
  }
  verbose(message: unknown): void {
    this.lines.push({ level: 'verbose', message: String(message) });
  }
  /** Lines at `level` whose text matches `pattern`. */
  matching(level: string, pattern: RegExp): string[] {
    return this.lines.filter((line) => line.level === level && pattern.test(line.message)).map((line) => line.message);
  }
}

/** Collects on demand: the test reads the instruments when it wants to. */
class OnDemandReader extends MetricReader {
  protected onForceFlush(): Promise<void> {
    return Promise.resolve();
  }
  protected onShutdown(): Promise<void> {
    return Promise.resolve();
  }
}

/**
 * Installs a global MeterProvider for this test file; `sum(name, attribute, value)` adds up a
 * counter's points whose attribute has that value. Call `stop()` in afterAll.
 */
export function meterForTests(): { sum(name: string, attribute?: string, value?: string): Promise<number>; stop(): void } {
  const reader = new OnDemandReader();
  metrics.setGlobalMeterProvider(new MeterProvider({ readers: [reader] }));
  return {
    async sum(name, attribute, value) {
      const { resourceMetrics } = await reader.collect();
      return resourceMetrics.scopeMetrics
        .flatMap((scope) => scope.metrics)
        .filter((metric) => metric.descriptor.name === name)
        .flatMap((metric) => metric.dataPoints as Array<{ value: unknown; attributes: Record<string, unknown> }>)
        .filter((point) => attribute === undefined || point.attributes[attribute] === value)
        .reduce((total, point) => total + (typeof point.value === 'number' ? point.value : 0), 0);
    },
    stop: () => metrics.disable(),
  };
}
