import type { ConsumeMessage } from 'amqplib';
import { WarrenConfigurationError } from '../errors/configuration.error';
import type { BatchOptions } from '../interfaces';
import type { WarrenLogger } from '../logging/warren-logger';
import type { ResolvedWarrenOptions } from '../warren-options';
import { MESSAGES } from '../warren.messages';
import type { Delivery, DeliverySettlement } from './delivery-settlement';
import type { HandlerDefinition } from './handler-definition';
import type { MessageDispatcher } from './message-dispatcher';
import { errorMessage } from './redelivery';
import { isNack, nackSettlement, settlingChannel, userFailureSettlement } from './user-settlement';
import { ReturnedNack } from './nack';

const DEFAULT_BATCH_TIMEOUT_MS = 200;

interface Waiting {
  delivery: Delivery;
  done(): void;
}

interface Decoded {
  delivery: Delivery;
  payload: unknown;
}

/** Checks a handler's batchOptions; returns the batch size and wait. */
export function batchSettings(handler: HandlerDefinition): { size: number; timeoutMs: number } {
  const { size, timeout = DEFAULT_BATCH_TIMEOUT_MS } = handler.options.batchOptions as BatchOptions;
  if (!Number.isInteger(size) || size < 1) throw new WarrenConfigurationError(MESSAGES.invalidBatchOption(handler.name, 'size', size));
  if (!Number.isFinite(timeout) || timeout < 1) throw new WarrenConfigurationError(MESSAGES.invalidBatchOption(handler.name, 'timeout', timeout));
  return { size, timeoutMs: timeout };
}

/**
 * Collects the deliveries of batch handlers and runs each batch: the handler gets the payloads
 * together; returning normally acks them all, returning a Nack nacks them all; if it throws, the
 * batch's errorHandler settles them; without one, the messages run again one at a time (as
 * batches of one, through the same handler), so the good ones are acked and only those that fail
 * alone fail on their own (their handler's errorBehavior / errorHandler, else retry and
 * dead-letter). A batch is handled when full, or `timeout` ms after its first message, or at once
 * when the consumer is cancelled (shutdown).
 */
export class BatchRunner {
  private readonly waiting = new Map<HandlerDefinition, Waiting[]>();
  private readonly timers = new Map<HandlerDefinition, NodeJS.Timeout>();

  constructor(
    private readonly dispatcher: MessageDispatcher,
    private readonly settlement: DeliverySettlement,
    private readonly handling: ResolvedWarrenOptions['handling'],
    private readonly logger: WarrenLogger,
  ) {}

  /** Resolves once the delivery's batch has been handled and settled. */
  add(handler: HandlerDefinition, delivery: Delivery): Promise<void> {
    const { size, timeoutMs } = batchSettings(handler);
    return new Promise((done) => {
      const waiting = this.waiting.get(handler) ?? [];
      waiting.push({ delivery, done });
      this.waiting.set(handler, waiting);
      if (waiting.length >= size) this.flush(handler);
      else if (!this.timers.has(handler)) this.timers.set(handler, setTimeout(() => this.flush(handler), timeoutMs));
    });
  }

  /** Handles every partial batch now (the consumer is stopping). */
  flushAll(): void {
    for (const handler of [...this.waiting.keys()]) this.flush(handler);
  }

  private flush(handler: HandlerDefinition): void {
    clearTimeout(this.timers.get(handler));
    this.timers.delete(handler);
    const batch = this.waiting.get(handler) ?? [];
    this.waiting.delete(handler);
    if (batch.length === 0) return;
    void this.run(handler, batch.map((w) => w.delivery)).finally(() => batch.forEach((w) => w.done()));
  }

  private async run(handler: HandlerDefinition, all: Delivery[]): Promise<void> {
    // Deliveries of a channel that died meanwhile are the broker's again: it redelivers them.
    const decoded: Decoded[] = [];
    for (const delivery of all.filter((d) => this.settlement.owns(d))) {
      try {
        decoded.push({ delivery, payload: await this.dispatcher.prepare(handler, delivery.message) });
      } catch (error) {
        await this.settlement.onFailure(delivery, handler, handler.name, error); // one bad or invalid body does not fail the rest
      }
    }
    if (decoded.length === 0) return;
    const failure = await this.attempt(handler, decoded);
    if (!failure) return;
    this.logger.warn(MESSAGES.batchFailed(handler.name, decoded.length, errorMessage(failure.error)));
    if (decoded.length === 1 || (handler.options.batchOptions as BatchOptions).errorHandler) {
      return this.failed(handler, decoded.map((d) => d.delivery), failure.error);
    }
    // One bad record must not fail the rest: each runs alone once before a failure counts against it.
    this.logger.log(MESSAGES.batchRetriedAlone(handler.name, decoded.length));
    for (const one of decoded) {
      if (!this.settlement.owns(one.delivery)) continue;
      const alone = await this.attempt(handler, [one]);
      if (alone) await this.failed(handler, [one.delivery], alone.error);
    }
  }

  /** Hands `batch` to the handler and settles it if the handler returned; else says what it threw. */
  private async attempt(handler: HandlerDefinition, batch: Decoded[]): Promise<{ error: unknown } | undefined> {
    const deliveries = batch.map((d) => d.delivery);
    const messages = deliveries.map((d) => d.message);
    let result: unknown;
    try {
      const headers = messages.map((m) => m.properties.headers ?? {});
      result = await handler.invoke(batch.map((d) => d.payload), messages as unknown as ConsumeMessage, headers as unknown as Record<string, unknown>);
    } catch (error) {
      return { error };
    }
    const nack = isNack(result) ? nackSettlement(result) : undefined;
    for (const delivery of deliveries) {
      if (nack) await this.settlement.settleAsAsked(delivery, handler, nack, new ReturnedNack());
      else this.settlement.settle(delivery, 'ack');
    }
    return undefined;
  }

  private async failed(handler: HandlerDefinition, failedDeliveries: Delivery[], error: unknown): Promise<void> {
    let deliveries = failedDeliveries;
    for (const delivery of deliveries) delivery.error = error;
    const batchErrorHandler = (handler.options.batchOptions as BatchOptions).errorHandler;
    if (batchErrorHandler) {
      const byMessage = new Map(deliveries.map((d) => [d.message, d]));
      const settled = new Set<Delivery>();
      const channel = settlingChannel(deliveries[0].channel, [...byMessage.keys()], (message, outcome) => {
        const delivery = byMessage.get(message)!;
        if (settled.has(delivery)) return;
        settled.add(delivery);
        this.settlement.settle(delivery, outcome);
      });
      try {
        await batchErrorHandler(channel, deliveries.map((d) => d.message), error);
        if (settled.size < deliveries.length) this.logger.warn(MESSAGES.errorHandlerDidNotSettle(handler.name));
        return;
      } catch (handlerError) {
        this.logger.error(MESSAGES.errorHandlerFailed(handler.name, errorMessage(handlerError)));
        deliveries = deliveries.filter((d) => !settled.has(d));
      }
    }
    const asked = userFailureSettlement(handler.options, this.handling);
    for (const delivery of deliveries) {
      if (asked) await this.settlement.settleAsAsked(delivery, handler, asked, error);
      else await this.settlement.onFailure(delivery, handler, handler.name, error);
    }
  }
}
