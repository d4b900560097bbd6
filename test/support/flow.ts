import { INestApplication } from '@nestjs/common';
import type { ConsumerState } from 'nestjs-warren';
import { WarrenConsumers } from 'nestjs-warren';
import type { RawClient } from './broker';
import { management } from './limited-user';

/** Holds handlers until the test opens it (once open, it stays open). */
export class Gate {
  private release!: () => void;
  readonly opened = new Promise<void>((resolve) => (this.release = resolve));

  open(): void {
    this.release();
  }
}

/** Counts one handler's invocations: how many run now, the most at once, the order they started in. */
export class Running {
  now = 0;
  max = 0;
  done = 0;
  readonly started: number[] = [];

  enter(n: number): void {
    this.started.push(n);
    this.max = Math.max(this.max, ++this.now);
  }

  leave(): void {
    this.now--;
    this.done++;
  }
}

/** Resolves once `signal` is aborted (with its reason). */
export function aborted(signal: AbortSignal | undefined): Promise<unknown> {
  if (!signal) return Promise.reject(new Error('the handler was given no AbortSignal'));
  if (signal.aborted) return Promise.resolve(signal.reason);
  return new Promise((resolve) => signal.addEventListener('abort', () => resolve(signal.reason), { once: true }));
}

/** The state of the consumer of `queue` in `app`. */
export function consumerOf(app: INestApplication, queue: string): ConsumerState {
  const state = app.get(WarrenConsumers).list().find((c) => c.queue === queue);
  if (!state) throw new Error(`no consumer of '${queue}'`);
  return state;
}

export function range(count: number): number[] {
  return Array.from({ length: count }, (_, n) => n);
}

/** Consumers the broker has on `queue` right now. */
export async function consumerCount(raw: RawClient, queue: string): Promise<number> {
  const channel = await raw.connection.createChannel();
  try {
    return (await channel.checkQueue(queue)).consumerCount;
  } finally {
    await channel.close().catch(() => undefined);
  }
}

export interface ManagementConsumer {
  ack_required: boolean;
  prefetch_count: number;
  queue: { name: string };
}

/** The broker's consumers of `queue`, as its management API lists them. */
export async function brokerConsumers(queue: string): Promise<ManagementConsumer[]> {
  const all = (await management('GET', '/consumers')) as ManagementConsumer[];
  return all.filter((consumer) => consumer.queue.name === queue);
}
