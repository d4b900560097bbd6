import { EventEmitter } from 'events';
import type { AmqpConnectionManager } from 'amqp-connection-manager';
import type { Channel } from 'amqplib';
import { WarrenLogger } from '../logging/warren-logger';
import { ManagedChannel } from './managed-channel';

/**
 * Pure logic: stand-in channels and connections whose replies and closes the test orders, to put a
 * close exactly between the setup's last reply and the code after its `await` (issue 22).
 */
class FakeChannel extends EventEmitter {
  closed = false;
  die(): void {
    if (this.closed) return;
    this.closed = true;
    this.emit('close');
  }
  async close(): Promise<void> {
    this.die();
  }
}

class FakeConnection {
  readonly channels: FakeChannel[] = [];
  async createChannel(): Promise<FakeChannel> {
    const channel = new FakeChannel();
    this.channels.push(channel);
    return channel;
  }
  createConfirmChannel = this.createChannel;
}

class FakeManager extends EventEmitter {
  connection: FakeConnection | undefined = new FakeConnection();
  /** The connection dies: amqplib closes its channels first, then the manager forgets it. */
  drop(): void {
    const old = this.connection;
    old?.channels.forEach((channel) => channel.die());
    this.connection = undefined;
    this.emit('disconnect', {});
  }
  reconnect(): FakeConnection {
    this.connection = new FakeConnection();
    this.emit('connect', { connection: this.connection });
    return this.connection;
  }
}

const flush = () => new Promise((resolve) => setImmediate(resolve));

async function until(condition: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (condition()) return;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  throw new Error(`never happened: ${what}`);
}

describe('ManagedChannel: a channel that dies during setup is never kept', () => {
  let managed: ManagedChannel | undefined;
  afterEach(async () => managed?.close());

  function open(manager: FakeManager, setup: (channel: Channel) => Promise<void>) {
    const events: string[] = [];
    managed = new ManagedChannel(
      manager as unknown as AmqpConnectionManager,
      { name: 'test', confirm: false, setup, reopenDelayMs: 5 },
      { opened: () => events.push('opened'), lost: () => events.push('lost'), setupFailed: () => events.push('setupFailed') },
      new WarrenLogger('test', false),
    );
    return { managed, events };
  }

  it('the channel closes after the setup\'s last reply but before its continuation: reopened, not kept', async () => {
    const manager = new FakeManager();
    let attempts = 0;
    const { managed, events } = open(manager, async (channel) => {
      attempts++;
      // The consume-ok resolves the setup's await; the same read then closes the channel.
      await Promise.resolve();
      if (attempts === 1) (channel as unknown as FakeChannel).die();
    });
    await until(() => attempts === 2 && managed.channel !== undefined, 'a second, successful setup');
    const [first, second] = manager.connection!.channels;
    expect(first.closed).toBe(true);
    expect(managed.channel).toBe(second);
    expect(managed.isLive(first as unknown as Channel)).toBe(false);
    expect(events).toEqual(['setupFailed', 'opened']);
  });

  it('the connection dies during setup and comes back while it is still opening: set up again on the new one', async () => {
    const manager = new FakeManager();
    let attempts = 0;
    let finishFirst!: () => void;
    const { managed } = open(manager, async () => {
      attempts++;
      if (attempts === 1) await new Promise<void>((resolve) => (finishFirst = resolve));
    });
    await until(() => finishFirst !== undefined, 'the first setup');
    manager.drop();
    const fresh = manager.reconnect(); // its 'connect' comes while the first setup still runs
    finishFirst(); // the last reply had already been read before the connection died
    await until(() => managed.channel !== undefined, 'a channel on the new connection');
    expect(managed.channel).toBe(fresh.channels[0]);
    expect(attempts).toBe(2);
  });

  it('the connection dies in the same read as the open-ok: the dead channel is not set up at all', async () => {
    const manager = new FakeManager();
    const first = manager.connection!;
    const setups: Channel[] = [];
    first.createChannel = async () => {
      const channel = new FakeChannel();
      first.channels.push(channel);
      manager.drop(); // before ManagedChannel listened to 'close'
      return channel;
    };
    const { managed } = open(manager, async (channel) => {
      setups.push(channel);
    });
    await flush();
    expect(managed.channel).toBeUndefined();
    const fresh = manager.reconnect();
    await until(() => managed.channel !== undefined, 'a channel on the new connection');
    expect(setups).toEqual([fresh.channels[0]]);
  });

  it('a channel that closes after setup is reported lost and replaced', async () => {
    const manager = new FakeManager();
    const { managed, events } = open(manager, async () => undefined);
    await until(() => managed.channel !== undefined, 'the first channel');
    const first = managed.channel as unknown as FakeChannel;
    first.die();
    expect(managed.channel).toBeUndefined();
    await until(() => managed.channel !== undefined, 'a replacement');
    expect(managed.channel).not.toBe(first);
    expect(events).toEqual(['opened', 'lost', 'opened']);
  });
});

