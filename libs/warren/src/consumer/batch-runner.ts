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

const DEFAULT_BATCH_TIMEOUT_MS = 200;

interface Waiting {
  delivery: Delivery;
  done(): void;
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
 * batch's errorHandler settles them, else each message fails on its own (its handler's
 * errorBehavior / errorHandler, else retry and dead-letter). A batch is handled when full, or
 * `timeout` ms after its first message, or at once when the consumer is cancelled (shutdown).
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
    const decoded: Array<{ delivery: Delivery; payload: unknown }> = [];
    for (const delivery of all.filter((d) => this.settlement.owns(d))) {
      try {
        decoded.push({ delivery, payload: this.dispatcher.decode(handler, delivery.message) });
      } catch (error) {
        await this.settlement.onFailure(delivery, handler, handler.name, error); // one bad body does not fail the rest
      }
    }
    if (decoded.length === 0) return;
    const deliveries = decoded.map((d) => d.delivery);
    const messages = deliveries.map((d) => d.message);
    try {
      const headers = messages.map((m) => m.properties.headers ?? {});
      const result = await handler.invoke(decoded.map((d) => d.payload), messages as unknown as ConsumeMessage, headers as unknown as Record<string, unknown>);
      const nack = isNack(result) ? nackSettlement(result) : undefined;
      for (const delivery of deliveries) {
        if (nack) await this.settlement.settleAsAsked(delivery, handler, nack, new Error('the handler returned a Nack'));
        else this.settlement.settle(delivery, 'ack');
      }
    } catch (error) {
      this.logger.warn(MESSAGES.batchFailed(handler.name, deliveries.length, errorMessage(error)));
      await this.failed(handler, deliveries, error);
    }
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
