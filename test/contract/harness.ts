import type { INestApplication, Provider } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import type { ConsumeMessage } from 'amqplib';
import { MessageHandlerOptions, MessageProducer, WarrenConsumers, WarrenModuleOptions, WarrenStatus } from 'nestjs-warren';
import { unique, waitFor } from '../support/broker';
import { BROKERS, BrokerUnderTest } from './brokers';

export { unique, waitFor };

/** The table for `describe.each`: `[name, broker]`, so `%s` in the title is the broker's name. */
export const brokerCases: Array<[string, BrokerUnderTest]> = BROKERS.map((broker) => [broker.name, broker]);

/**
 * Handler options for a queue that only lives as long as its consumer and gets no retry or
 * dead-letter companions: for tests that need no failure handling, so they leave nothing behind.
 */
export const transient = { retry: false, deadLetterQueue: false, queueOptions: { autoDelete: true } } as const;

/**
 * Queue options for a queue that must outlive its consumer for a while (retries, a second app):
 * the broker deletes it a minute after it was last used. (Warren's own `.dlq` and delay queues stay.)
 */
export const expiring = { expires: 60_000 } as const;

/** Exchange declarations that disappear with their last binding. */
export function exchange(name: string, type: 'direct' | 'topic' | 'fanout' | 'headers' = 'topic') {
  return { name, type, options: { autoDelete: true } };
}

/** The RabbitMQ version the app's broker announced (`WarrenStatus`), as [major, minor]. */
function brokerVersion(app: INestApplication): [number, number] {
  const version = app.get(WarrenStatus).check().connection.brokerVersion;
  const match = /^(\d+)\.(\d+)/.exec(version ?? '');
  if (!match) throw new Error(`the broker announced no version (${String(version)})`);
  return [Number(match[1]), Number(match[2])];
}

/** The app's broker is RabbitMQ `major.minor` or newer. */
export function atLeast(app: INestApplication, major: number, minor: number): boolean {
  const [actualMajor, actualMinor] = brokerVersion(app);
  return actualMajor > major || (actualMajor === major && actualMinor >= minor);
}

/** Starts Nest apps on one broker and closes every one of them, whatever happened in the test. */
export class Apps {
  private readonly open: INestApplication[] = [];

  constructor(private readonly broker: BrokerUnderTest) {}

  async start(options: WarrenModuleOptions = {}, providers: Provider[] = []): Promise<INestApplication> {
    const moduleRef = await Test.createTestingModule({ imports: [this.broker.module({ logger: false, ...options })], providers }).compile();
    const app = moduleRef.createNestApplication({ logger: false });
    this.open.push(app); // before init: an app whose init failed is closed too
    await app.init();
    return app;
  }

  /** Closes one app now (the test goes on with others). */
  async close(app: INestApplication): Promise<void> {
    this.open.splice(this.open.indexOf(app), 1);
    await app.close();
  }

  async closeAll(): Promise<void> {
    const apps = this.open.splice(0);
    await Promise.allSettled(apps.map((app) => app.close()));
  }
}

/** A door a handler waits at until the test opens it. */
export class Gate {
  private release!: () => void;
  readonly opened = new Promise<void>((resolve) => (this.release = resolve));

  open(): void {
    this.release();
  }
}

/** One message as a run-time consumer saw it. */
export interface Received {
  payload: unknown;
  headers: Record<string, unknown>;
  message: ConsumeMessage;
}

/**
 * Consumes `queue` from now on with a run-time handler (`WarrenConsumers.add`) that only records;
 * e.g. a handler's `<queue>.dlq`. The recorder itself neither retries nor parks.
 */
export async function record(app: INestApplication, queue: string, options: MessageHandlerOptions = {}): Promise<Received[]> {
  const received: Received[] = [];
  await app.get(WarrenConsumers).add({ type: 'subscribe', queue, retry: false, deadLetterQueue: false, ...options }, (payload, message, headers) => {
    received.push({ payload, message, headers });
  });
  return received;
}

function isMarker(payload: unknown, marker: string): boolean {
  return (payload as { marker?: unknown } | null)?.marker === marker;
}

/**
 * Sends a marker into `queue` (default exchange) and waits until `received` has it: a queue is
 * FIFO, so whatever reached the queue before the marker has been delivered by then. Resolves with
 * what came before the marker; this is how a test shows something did NOT arrive, without sleeping.
 */
export async function throughMarker(app: INestApplication, queue: string, received: Received[]): Promise<Received[]> {
  const marker = unique('marker');
  await app.get(MessageProducer).publish('', queue, { marker });
  await waitFor(() => received.some((r) => isMarker(r.payload, marker)), `marker through ${queue}`, 5_000);
  return received.filter((r) => !isMarker(r.payload, marker));
}
