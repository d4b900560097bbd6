import { EventEmitter } from 'events';
import type { BrokerConnection } from '../connection/broker-connection';
import type { ChannelListener } from '../connection/managed-channel';
import { InvalidMessageError } from '../errors/invalid-message.error';
import { WarrenLogger } from '../logging/warren-logger';
import { resolveOptions } from '../warren-options';
import { MessageProducer } from './message-producer';

type Confirm = (error: Error | null) => void;

/**
 * Behaves as amqplib's ConfirmChannel does around an encoding failure: the confirm callback is
 * queued *before* the frame is encoded, and the broker's confirms are credited by position.
 * This is a unit test of the producer's bookkeeping; delivery itself is tested against the broker.
 */
class AmqplibLikeChannel extends EventEmitter {
  readonly callbacks: Confirm[] = [];
  /** What reached the wire, in order (the broker numbers only these). */
  readonly written: string[] = [];
  closed = false;

  publish(_exchange: string, routingKey: string, _content: Buffer, _properties: unknown, confirm: Confirm): boolean {
    if (this.closed) throw Object.assign(new Error('Channel closed'), { name: 'IllegalOperationError' });
    this.callbacks.push(confirm);
    if (routingKey.startsWith('unencodable')) throw new TypeError('Unknown type to encode: bigint');
    this.written.push(routingKey);
    return true;
  }

  /** The broker confirms everything it received: delivery tag n credits the n-th queued callback. */
  confirmWritten(): void {
    this.written.forEach((_, index) => this.callbacks[index]?.(null));
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const confirm of this.callbacks.splice(0)) confirm(new Error('channel closed'));
  }
}

class FakeManagedChannel {
  readonly opened: AmqplibLikeChannel[] = [];
  recycled = 0;

  constructor(private readonly listener: ChannelListener) {
    queueMicrotask(() => this.open());
  }

  get channel(): AmqplibLikeChannel | undefined {
    const current = this.opened.at(-1);
    return current && !current.closed ? current : undefined;
  }

  recycle(): void {
    const current = this.channel!;
    this.recycled++;
    current.closed = true; // no longer handed out
    this.listener.lost?.(current as never, undefined);
    void current.close();
    queueMicrotask(() => this.open());
  }

  async close(): Promise<void> {
    await this.channel?.close();
  }

  private open(): void {
    const channel = new AmqplibLikeChannel();
    this.opened.push(channel);
    this.listener.opened?.(channel as never);
  }
}

describe('MessageProducer bookkeeping when amqplib throws from publish', () => {
  let managed: FakeManagedChannel;
  let producer: MessageProducer;

  beforeEach(async () => {
    const connection = {
      openChannel: (_options: unknown, listener: ChannelListener) => (managed = new FakeManagedChannel(listener)),
    } as unknown as BrokerConnection;
    producer = new MessageProducer(connection, resolveOptions({ publish: { timeoutMs: 60_000 } }), new WarrenLogger('test', false));
    await Promise.resolve(); // the first channel opens
  });

  afterEach(() => producer.close());

  it('fails only the culprit, replaces the channel, and never credits a confirm to the wrong message', async () => {
    const outcomes: Record<string, string> = {};
    const track = (key: string) =>
      producer.publish('ex', key, { key }).then(
        () => (outcomes[key] = 'confirmed'),
        (error: Error) => (outcomes[key] = error.constructor.name),
      );
    const settled = Promise.all([track('before'), track('unencodable'), track('after')]);
    await Promise.resolve();

    expect(managed.recycled).toBe(1);
    const [first, second] = managed.opened;
    expect(first.written).toEqual(['before']);
    // The culprit failed at once; nothing has been confirmed yet.
    await new Promise((resolve) => setImmediate(resolve));
    expect(outcomes).toEqual({ unencodable: 'InvalidMessageError' });

    // What was written on the broken channel is sent again on the new one, ahead of newer messages.
    expect(second.written).toEqual(['before', 'after']);
    second.confirmWritten();
    await settled;
    expect(outcomes).toEqual({ before: 'confirmed', unencodable: 'InvalidMessageError', after: 'confirmed' });
  });

  it('says which field and why', async () => {
    const error = (await producer.publish('ex', 'unencodable.key', {}).catch((e: unknown) => e)) as InvalidMessageError;
    expect(error).toBeInstanceOf(InvalidMessageError);
    expect(error.field).toBe('message');
    expect(error.reason).toMatch(/amqplib could not encode the message.*bigint/);
  });
});
