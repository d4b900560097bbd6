import { randomBytes } from 'crypto';
import { hostname } from 'os';
import type { Channel } from 'amqplib';
import type { HandlerDefinition } from './handler-definition';

/** The handlers' own consumer tag, else one naming this host, process and queue. */
export function consumerTagFor(queue: string | undefined, handlers: HandlerDefinition[]): string {
  const label = (queue ?? 'anon').replace(/[^\w.-]/g, '_').slice(0, 60);
  return (
    handlers.map((h) => h.options.queueOptions?.consumerOptions?.consumerTag).find((tag) => Boolean(tag)) ??
    `warren.${hostname()}.${process.pid}.${label}.${randomBytes(4).toString('hex')}`
  );
}

/**
 * Whether a consumer is subscribed (basic.consume, under one fixed tag) on its current channel,
 * kept in line with what it wants: not while paused (across reconnects), cancelled for shutdown,
 * or `held` (over its in-flight byte budget, a handler's circuit breaker open, a noAck consumer
 * holding its prefetch). Steps run one at a time and each decides on the state when it runs, so
 * pauses, resumes and those stops and starts never send two consumes (or a consume after a
 * cancel) under the one tag, which the broker would answer by closing the channel.
 * Each subscription takes the prefetch `window()` gives at that moment (the broker fixes a
 * consumer's prefetch when it subscribes); `widen()` subscribes afresh to take a larger one.
 */
export class Subscription {
  private consumingOn?: Channel;
  /** The prefetch the current subscription took. */
  private consumingWith = 0;
  private widening = false;
  private steps: Promise<void> = Promise.resolve();
  private pausedFlag = false;
  private cancelledFlag = false;

  constructor(
    readonly tag: string,
    /** A reason other than pause and cancel to stay unsubscribed for now. */
    private readonly held: () => boolean,
    private readonly window: () => number,
    private readonly consume: (channel: Channel, prefetch: number) => Promise<void>,
  ) {}

  get paused(): boolean {
    return this.pausedFlag;
  }

  get cancelled(): boolean {
    return this.cancelledFlag;
  }

  /** Until `resume()`, across reconnects too. */
  pause(channel: Channel | undefined): Promise<void> {
    if (this.pausedFlag) return Promise.resolve();
    this.pausedFlag = true;
    return this.sync(channel);
  }

  resume(channel: Channel | undefined): Promise<void> {
    if (!this.pausedFlag || this.cancelledFlag) return Promise.resolve();
    this.pausedFlag = false;
    return this.sync(channel);
  }

  /** For good (shutdown). */
  cancel(channel: Channel | undefined): Promise<void> {
    this.cancelledFlag = true;
    return this.sync(channel).catch(() => undefined);
  }

  /** Consumes on `channel` if wanted and not yet, cancels if consuming and no longer wanted. */
  sync(channel: Channel | undefined): Promise<void> {
    return this.enqueue(() => this.step(channel));
  }

  /** Subscribes afresh (cancel, consume) if the current subscription took a prefetch below `prefetch`. */
  widen(channel: Channel, prefetch: number): void {
    if (this.widening || this.consumingOn !== channel || this.consumingWith >= prefetch) return;
    this.widening = true;
    this.enqueue(() => this.step(channel, true))
      .catch(() => undefined) // a channel that failed meanwhile is replaced, and its setup subscribes
      .finally(() => (this.widening = false));
  }

  private enqueue(action: () => Promise<void>): Promise<void> {
    const step = this.steps.then(action);
    this.steps = step.catch(() => undefined);
    return step;
  }

  private async step(channel: Channel | undefined, renew = false): Promise<void> {
    if (!channel) return; // the next channel's setup subscribes
    if (renew && this.consumingOn === channel) await this.stop(channel);
    const wanted = !this.cancelledFlag && !this.pausedFlag && !this.held();
    if (wanted && this.consumingOn !== channel) {
      const prefetch = this.window();
      await this.consume(channel, prefetch);
      this.consumingOn = channel;
      this.consumingWith = prefetch;
    } else if (!wanted && this.consumingOn === channel) {
      await this.stop(channel);
    }
  }

  private async stop(channel: Channel): Promise<void> {
    this.consumingOn = undefined;
    await channel.cancel(this.tag).catch(() => undefined);
  }
}
