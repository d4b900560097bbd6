import { ConsoleLogger, Inject, Injectable, LoggerService, Optional } from '@nestjs/common';
import { redactText } from '../logging/redact';
import { MessageProducer } from '../producer/message-producer';

/** Options of `WarrenLogShipper`. */
export interface LogShipperOptions {
  /** The topic exchange records go to (declare it, e.g. in `exchanges`). @default 'warren.logs' */
  exchange?: string;
  /** Routing key of a record. @default (level) => `logs.${level}` */
  routingKey?: (level: LogLevelName, context: string | undefined) => string;
  /** Records that may wait for the broker; beyond it records are dropped (and counted). @default 1000 */
  maxPending?: number;
  /** Where records are printed too. @default a Nest ConsoleLogger */
  print?: LoggerService;
}

/** A Nest log level, as shipped in a record's `level`. */
export type LogLevelName = 'log' | 'error' | 'warn' | 'debug' | 'verbose' | 'fatal';

/** The JSON body of a shipped record. */
export interface LogRecord {
  level: LogLevelName;
  message: string;
  context?: string;
  stack?: string;
  at: string;
  pid: number;
}

/** Injection token of the `LogShipperOptions` a `WarrenLogShipper` reads. */
export const LOG_SHIPPER_OPTIONS = Symbol('warren:log-shipper-options');

/**
 * A Nest `LoggerService` that prints each record and ships it to a topic exchange as
 * `logs.<level>`, for a log consumer (`@RabbitSubscribe({ routingKey: 'logs.error' })`). It never
 * blocks or throws: records go through `emit`; while more than `maxPending` wait for the broker
 * they are dropped, counted, and the count is printed once shipping resumes. Warren's own records
 * (context `Warren…`, e.g. a warning that an emit failed) are printed, not shipped, so a broker
 * problem can never make the shipper feed on itself. A shipped record's message and stack go through
 * redactText (credentials in URIs, the app's `redact` hook); what is printed is left as it was written.
 *
 *   const app = await NestFactory.create(AppModule, { bufferLogs: true });
 *   app.useLogger(app.get(WarrenLogShipper));
 */
@Injectable()
export class WarrenLogShipper implements LoggerService {
  private readonly print: LoggerService;
  private shipping = false;
  private dropped = 0;
  private reported = 0;

  constructor(
    private readonly producer: MessageProducer,
    @Optional() @Inject(LOG_SHIPPER_OPTIONS) private readonly options: LogShipperOptions = {},
  ) {
    this.print = options.print ?? new ConsoleLogger();
  }

  /** Records dropped since the start because too many were waiting for the broker. */
  get droppedCount(): number {
    return this.dropped;
  }

  log(message: unknown, ...rest: unknown[]): void {
    this.record('log', message, rest);
  }

  error(message: unknown, ...rest: unknown[]): void {
    this.record('error', message, rest);
  }

  warn(message: unknown, ...rest: unknown[]): void {
    this.record('warn', message, rest);
  }

  debug(message: unknown, ...rest: unknown[]): void {
    this.record('debug', message, rest);
  }

  verbose(message: unknown, ...rest: unknown[]): void {
    this.record('verbose', message, rest);
  }

  fatal(message: unknown, ...rest: unknown[]): void {
    this.record('fatal', message, rest);
  }

  private record(level: LogLevelName, message: unknown, rest: unknown[]): void {
    const printer = this.print[level === 'fatal' ? 'error' : level]?.bind(this.print) ?? this.print.log.bind(this.print);
    printer(message, ...rest);
    if (this.shipping) return;
    this.shipping = true;
    try {
      this.ship(level, message, rest);
    } finally {
      this.shipping = false;
    }
  }

  private ship(level: LogLevelName, message: unknown, rest: unknown[]): void {
    const context = typeof rest[rest.length - 1] === 'string' ? (rest[rest.length - 1] as string) : undefined;
    if (context?.startsWith('Warren')) return;
    if (this.producer.pendingCount >= (this.options.maxPending ?? 1000)) {
      this.dropped++;
      return;
    }
    if (this.dropped > this.reported) {
      this.print.warn(`${this.dropped - this.reported} log record(s) were not shipped: too many were waiting for the broker`, 'WarrenLogShipper');
      this.reported = this.dropped;
    }
    const stack = level === 'error' && rest.length > 1 && typeof rest[0] === 'string' ? redactText(rest[0] as string) : undefined;
    const text = redactText(typeof message === 'string' ? message : safeJson(message));
    const record: LogRecord = { level, message: text, context, stack, at: new Date().toISOString(), pid: process.pid };
    const routingKey = this.options.routingKey?.(level, context) ?? `logs.${level}`;
    this.producer.emit(this.options.exchange ?? 'warren.logs', routingKey, record, { mandatory: false, persistent: false });
  }
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
