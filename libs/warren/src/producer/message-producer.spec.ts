import { EventEmitter } from 'events';
import type { BrokerConnection } from '../connection/broker-connection';
import type { ChannelListener } from '../connection/managed-channel';
import { BufferOverflowError } from '../errors/buffer-overflow.error';
import { InvalidMessageError } from '../errors/invalid-message.error';
import { PublishError } from '../errors/publish.error';
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

/** A connection that is its own publishing connection and opens fake channels. */
function fakeConnection(open: (listener: ChannelListener) => FakeManagedChannel): BrokerConnection {
  const connection = { openChannel: (_options: unknown, listener: ChannelListener) => open(listener), name: 'fake', group: { onGiveUp: () => () => undefined }, gaveUpError: undefined };
  return { ...connection, publishing: connection } as unknown as BrokerConnection;
}

describe('MessageProducer bookkeeping when amqplib throws from publish', () => {
  let managed: FakeManagedChannel;
  let producer: MessageProducer;

  beforeEach(async () => {
    producer = new MessageProducer(fakeConnection((listener) => (managed = new FakeManagedChannel(listener))), resolveOptions({ publish: { timeoutMs: 60_000 } }), new WarrenLogger('test', false));
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

describe('MessageProducer buffer bounds (everything not yet confirmed counts)', () => {
  let managed: FakeManagedChannel;
  const start = async (publish: { maxBufferedMessages?: number; maxBufferedBytes?: number; timeoutMs?: number }) => {
    const producer = new MessageProducer(fakeConnection((listener) => (managed = new FakeManagedChannel(listener))), resolveOptions({ publish }), new WarrenLogger('test', false));
    await Promise.resolve(); // the first channel opens
    return producer;
  };
  const refusal = (published: Promise<void>) => published.then(() => undefined, (error: BufferOverflowError) => error);

  it('counts messages written but unconfirmed against maxBufferedMessages', async () => {
    const producer = await start({ maxBufferedMessages: 2 });
    const first = producer.publish('ex', 'a', 1);
    const second = producer.publish('ex', 'b', 2);
    expect(managed.channel!.written).toEqual(['a', 'b']); // both handed to amqplib
    const overflow = await refusal(producer.publish('ex', 'c', 3));
    expect(overflow).toBeInstanceOf(BufferOverflowError);
    expect(overflow).toMatchObject({ bound: 'messages', limit: 2, code: 'BUFFER_OVERFLOW' });
    managed.channel!.confirmWritten();
    await Promise.all([first, second]);
    expect(producer.pendingCount).toBe(0);
    await producer.close();
  });

  it('bounds body bytes; a message alone always fits', async () => {
    const producer = await start({ maxBufferedBytes: 10 });
    const big = producer.publish('ex', 'big', Buffer.alloc(25)); // over the bound, but alone
    expect(producer.bufferedBytes).toBe(25);
    const overflow = await refusal(producer.publish('ex', 'small', Buffer.alloc(1)));
    expect(overflow).toMatchObject({ bound: 'bytes', limit: 10 });
    expect(overflow!.message).toMatch(/publish\.maxBufferedBytes/);
    managed.channel!.confirmWritten();
    await big;
    expect(producer.bufferedBytes).toBe(0);
    await producer.close();
  });

  it('a message whose confirm timed out counts until its late confirm, and is not sent again after a channel loss', async () => {
    const producer = await start({ timeoutMs: 20 });
    const error = (await producer.publish('ex', 'late', Buffer.alloc(7), { messageId: 'm-1' }).catch((e: unknown) => e)) as PublishError;
    expect(error).toMatchObject({ code: 'CONFIRM_TIMEOUT', outcome: 'unknown', messageId: 'm-1' });
    expect(error.message).toMatch(/may still arrive; de-duplicate by messageId \(m-1\)/);
    expect(producer.pendingCount).toBe(1);
    expect(producer.bufferedBytes).toBe(7);
    managed.channel!.confirmWritten(); // the late confirm
    expect(producer.pendingCount).toBe(0);
    expect(producer.bufferedBytes).toBe(0);

    await producer.publish('ex', 'lost', 1).catch(() => undefined); // times out as well
    expect(producer.pendingCount).toBe(1);
    managed.recycle(); // its channel ends: forgotten, not sent again
    expect(producer.pendingCount).toBe(0);
    await Promise.resolve();
    expect(managed.opened[1].written).toEqual([]);
    await producer.close();
  });
});
