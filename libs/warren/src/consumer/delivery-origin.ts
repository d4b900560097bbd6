import type { ConsumeMessage, ConsumeMessageFields } from 'amqplib';
import { HEADERS } from '../warren.constants';
import { attemptOf } from './failure-policy';

/**
 * Where a delivery came from, decided once when it arrives and used for everything Warren decides
 * about it: which handler it goes to, which attempt it is, and what a retry or parked copy records.
 *
 * A fresh delivery's origin is the broker's own `message.fields` (nothing is allocated for it):
 * its exchange and routing key, first attempt, never failed before. Only a delivery that came back
 * through this queue's own retry path gets what Warren recorded on its copy (see `RetryPath`).
 */
export interface DeliveryOrigin {
  /** The exchange the message was first published to. */
  readonly exchange: string;
  /** The routing key it was first published with: it picks the handler on a shared queue. */
  readonly routingKey: string;
  /** 1-based attempt; absent on a fresh delivery, which is attempt 1. */
  readonly attempt?: number;
  /** When the first attempt failed; absent until Warren made a copy. */
  readonly firstFailedAt?: string;
  /** True only on a delivery proven to be Warren's own retry copy. */
  readonly trusted?: boolean;
}

/**
 * The headers Warren writes on its retry and dead-letter copies. On any delivery but Warren's own
 * retry they are the sender's words: ignored, and left off every copy Warren makes.
 */
export const BOOKKEEPING_HEADERS: ReadonlySet<string> = new Set([
  HEADERS.attempt,
  HEADERS.originalExchange,
  HEADERS.originalRoutingKey,
  HEADERS.originalQueue,
  HEADERS.error,
  HEADERS.errorCode,
  HEADERS.firstFailedAt,
  HEADERS.deadLetteredAt,
  HEADERS.headersDropped,
  HEADERS.bodyBytes,
  HEADERS.bodyDropped,
]);

const DELAY_SUFFIX = /^\d+ms$/;

/**
 * One queue's retry path, as the broker shows it on a delivery. Warren's retries reach the queue in
 * two ways only: dead-lettered by one of its delay queues `<queue>.retry.<N>ms` when the TTL
 * expires (the broker delivers it from the default exchange with the queue's name as routing key
 * and puts its own `x-death` entry first, naming the delay queue, reason `expired`), or, in retry
 * mode 'requeue', published by Warren to the queue through the default exchange (copies carry no
 * `x-death`). Any other delivery is fresh. Only a sender allowed to write to the default exchange
 * could pass for a retry, and such a sender can already address every queue by name.
 */
export class RetryPath {
  private readonly delayPrefix: string;

  /**
   * @param queue the queue's current name
   * @param inPlace some handler of the queue retries straight into it (mode 'requeue', or a zero delay)
   */
  constructor(
    private readonly queue: string,
    private readonly inPlace: boolean,
  ) {
    this.delayPrefix = `${queue}.retry.`;
  }

  /** The origin of `message`; decided here once per delivery. */
  originOf(message: ConsumeMessage): DeliveryOrigin {
    const fields: ConsumeMessageFields = message.fields;
    const headers = message.properties.headers;
    if (headers === undefined || fields.exchange !== '' || fields.routingKey !== this.queue || !this.cameBack(headers)) return fields;
    const exchange = headers[HEADERS.originalExchange];
    const routingKey = headers[HEADERS.originalRoutingKey];
    const firstFailedAt = headers[HEADERS.firstFailedAt];
    return {
      exchange: typeof exchange === 'string' ? exchange : fields.exchange,
      routingKey: typeof routingKey === 'string' ? routingKey : fields.routingKey,
      attempt: attemptOf(headers),
      firstFailedAt: typeof firstFailedAt === 'string' ? firstFailedAt : undefined,
      trusted: true,
    };
  }

  /** The broker's latest dead-lettering (first `x-death` entry) was a delay queue of this queue expiring it; or, without one, a retry in place. */
  private cameBack(headers: Record<string, unknown>): boolean {
    const deaths = headers['x-death'];
    if (!Array.isArray(deaths) || deaths.length === 0) return this.inPlace;
    const latest = deaths[0] as { queue?: unknown; reason?: unknown } | null;
    return latest?.reason === 'expired' && this.isDelayQueue(latest.queue);
  }

  /** `<queue>.retry.<N>ms`, also for a backoff step the current configuration no longer has (its messages still come back). */
  private isDelayQueue(name: unknown): boolean {
    return typeof name === 'string' && name.startsWith(this.delayPrefix) && DELAY_SUFFIX.test(name.slice(this.delayPrefix.length));
  }
}
