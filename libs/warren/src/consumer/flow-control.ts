import type { ConsumeMessage } from 'amqplib';
import { HandlerTimeoutError } from '../errors/handler-timeout.error';
import type { WarrenLogger } from '../logging/warren-logger';
import { recordCircuitTrip } from '../tracing/warren-metrics';
import { MESSAGES } from '../warren.messages';
import { BreakerListener, CircuitBreaker } from './circuit-breaker';
import { ConcurrencyGate } from './concurrency-gate';
import type { ConsumerEvents } from './consumer-events';
import type { Delivery } from './delivery-settlement';
import { isRetryable } from './failure-policy';
import type { HandlerDefinition } from './handler-definition';
import { raceDeadline } from './handler-deadline';
import type { HandlerFlow } from './handler-flow';
import { isNack } from './user-settlement';
import type { CircuitBreakerState } from './warren-consumers';

/** The delivery was not run: it goes back to the queue (its handler's breaker is open, or it is no longer ours). */
export const RETURNED = Symbol('warren.returned');
export type Returned = typeof RETURNED;

interface Controls {
  flow: HandlerFlow;
  gate?: ConcurrencyGate;
  breaker?: CircuitBreaker;
}

/** What flow control needs of its queue's consumer. */
export interface FlowHost {
  queueName(): string;
  logger: WarrenLogger;
  events?: ConsumerEvents;
  /** Consumed with noAck: nothing can go back to the queue, so nothing is turned away. */
  autoAck: boolean;
  /** A breaker changed state: the subscription follows (`widen`: it closed, take the full prefetch again). */
  changed(widen: boolean): void;
}

/**
 * One queue's per-handler flow control: each handler's concurrency gate, deadline, circuit breaker
 * and accepted content types (resolved once, at registration). `run()` takes a delivery through
 * them; `stopped` tells the subscription that an open breaker wants the queue left unconsumed.
 */
export class FlowControl implements BreakerListener {
  private readonly controls = new Map<HandlerDefinition, Controls>();
  private readonly breakers: CircuitBreaker[] = [];

  constructor(
    flows: ReadonlyMap<HandlerDefinition, HandlerFlow>,
    private readonly host: FlowHost,
  ) {
    for (const [handler, flow] of flows) {
      const gate = flow.concurrency === undefined ? undefined : new ConcurrencyGate(flow.concurrency);
      const breaker = flow.circuitBreaker && new CircuitBreaker(handler.name, flow.circuitBreaker, this);
      if (breaker) this.breakers.push(breaker);
      if (gate || breaker || flow.timeoutMs !== undefined || flow.accept) this.controls.set(handler, { flow, gate, breaker });
    }
  }

  /** A breaker is open: the queue is not consumed. */
  get stopped(): boolean {
    return this.breakers.some((breaker) => breaker.state === 'open');
  }

  get halfOpen(): boolean {
    return this.breakers.some((breaker) => breaker.state === 'half-open');
  }

  /** While a breaker is half-open: the prefetch its trial consumes with. */
  get trialWindow(): number | undefined {
    const trials = this.breakers.filter((breaker) => breaker.state === 'half-open').map((breaker) => breaker.trials);
    return trials.length === 0 ? undefined : Math.min(...trials);
  }

  get states(): CircuitBreakerState[] | undefined {
    if (this.breakers.length === 0) return undefined;
    return this.breakers.map((breaker) => ({ handler: breaker.handler, state: breaker.state, trips: breaker.trips }));
  }

  /** The handler has a deadline: its deliveries get an AbortSignal, taken or not. */
  hasDeadline(handler: HandlerDefinition | undefined): boolean {
    return handler !== undefined && this.controls.get(handler)?.flow.timeoutMs !== undefined;
  }

  accepts(handler: HandlerDefinition, message: ConsumeMessage): boolean {
    return this.controls.get(handler)?.flow.accept?.accepts(message) ?? true;
  }

  /** Throws `UnsupportedContentTypeError` for a content type the handler's `accept` leaves out. */
  checkAccepted(handler: HandlerDefinition, message: ConsumeMessage): void {
    this.controls.get(handler)?.flow.accept?.check(message);
  }

  /**
   * Runs `invoke` (the handler) for `delivery`: after a concurrency slot is free (in arrival order),
   * unless its breaker is open then (RETURNED), against its deadline. The slot is held until the
   * handler really returns; the outcome is counted once (at the deadline for a handler past it).
   */
  async run<T>(delivery: Delivery, handler: HandlerDefinition | undefined, owns: () => boolean, invoke: () => Promise<T>): Promise<T | Returned> {
    const controls = handler && this.controls.get(handler);
    if (!controls) return invoke();
    const { gate, breaker, flow } = controls;
    if (gate && !(await gate.acquire())) return RETURNED;
    if (!owns() || (breaker && !breaker.admits && !this.host.autoAck)) {
      gate?.release();
      return RETURNED;
    }
    const token = breaker?.begin();
    let counted = false;
    /** `failed` undefined: an outcome that says nothing of the handler's health (a bad message, a Nack). */
    const outcome = (failed: boolean | undefined) => {
      if (counted) return;
      counted = true;
      if (breaker && token !== undefined && failed !== undefined) breaker.record(token, failed);
    };
    let work: Promise<T>;
    try {
      work = invoke();
    } catch (error) {
      work = Promise.reject(error);
    }
    const finished = work.then(
      (result) => outcome(isNack(result) ? undefined : false),
      (error: unknown) => outcome(isRetryable(error) ? true : undefined),
    );
    const returned = finished.catch(() => undefined).finally(() => gate?.release());
    const timeoutMs = flow.timeoutMs;
    if (timeoutMs === undefined) return work;
    delivery.running = returned;
    return raceDeadline(work, timeoutMs, () => {
      const error = new HandlerTimeoutError(handler.name, timeoutMs);
      delivery.expired = true;
      outcome(true);
      delivery.abort?.abort(error);
      return error;
    });
  }

  opened(breaker: CircuitBreaker, reopened: boolean, failed: number, finished: number): void {
    const queue = this.host.queueName();
    recordCircuitTrip(queue, breaker.handler);
    this.host.logger.warn(reopened ? MESSAGES.circuitReopened(breaker.handler, queue, breaker.pauseMs) : MESSAGES.circuitOpened(breaker.handler, queue, failed, finished, breaker.pauseMs));
    // Deliveries still waiting for a slot would only fail too: back to the queue with them.
    if (!this.host.autoAck) this.controlsOf(breaker)?.gate?.returnWaiting();
    if (this.breakers.filter((b) => b.state === 'open').length === 1) this.host.events?.emit('consumer-paused', { queue, cause: 'circuit-breaker' });
    this.host.changed(false);
  }

  halfOpened(breaker: CircuitBreaker): void {
    const queue = this.host.queueName();
    this.host.logger.log(MESSAGES.circuitHalfOpen(breaker.handler, queue, breaker.trials));
    if (!this.stopped) this.host.events?.emit('consumer-resumed', { queue, cause: 'circuit-breaker' });
    this.host.changed(false);
  }

  closed(breaker: CircuitBreaker): void {
    this.host.logger.log(MESSAGES.circuitClosed(breaker.handler, this.host.queueName()));
    this.host.changed(true);
  }

  /** The consumer closes: no breaker timer outlives it. */
  close(): void {
    for (const breaker of this.breakers) breaker.stop();
  }

  private controlsOf(breaker: CircuitBreaker): Controls | undefined {
    return [...this.controls.values()].find((controls) => controls.breaker === breaker);
  }
}
