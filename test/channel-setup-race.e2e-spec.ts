import { INestApplication, Injectable } from '@nestjs/common';
import type { Channel } from 'amqplib';
import { BrokerConnection, RabbitSubscribe, WarrenModule, WarrenStatus } from 'nestjs-warren';
import { WarrenHealthIndicator, WarrenHealthModule } from 'nestjs-warren/health';
import { closeAll, startApp } from './support/app';
import { RawClient, unique, waitFor } from './support/broker';
import { management } from './support/limited-user';
import { amqplibFile } from '../libs/warren/src/connection/amqplib-files';

const { Channel: AmqplibChannel } = amqplibFile<{ Channel: { prototype: Channel } }>('channel_model');

/** Runs around one basic.consume of the test's queue: `before` it is sent, `after` its consume-ok arrived. */
interface ConsumeHook {
  before?: () => Promise<void>;
  after?: (channel: Channel) => Promise<void>;
}

/** Closes this process's connection `connectionName` from the broker's side (management API), once the API lists it. */
async function closeFromBroker(connectionName: string, localPort: number): Promise<void> {
  type Row = { name: string; peer_port: number; client_properties?: { connection_name?: string } };
  let row: Row | undefined;
  await waitFor(async () => {
    const rows = (await management('GET', '/connections?columns=name,peer_port,client_properties.connection_name')) as Row[];
    row = rows.find((r) => r.client_properties?.connection_name === connectionName && r.peer_port === localPort);
    return row !== undefined;
  }, `the management API to list connection ${connectionName}`, 15_000);
  await management('DELETE', `/connections/${encodeURIComponent(row!.name)}`);
}

/**
 * Warren issue 22: a channel that closed after its setup's last reply (the consume-ok) but before
 * the code after that `await` ran was kept as the current channel. Every later re-open was then
 * skipped: the broker had no consumer on the queue while Warren's status said attached. Here the
 * channel (then the whole connection) is killed at exactly that point, through a hook around
 * amqplib's consume against the real broker.
 */
describe('a consumer channel that dies during its setup is replaced, and the status tells (real broker)', () => {
  const queue = unique('q.setup-race');
  const connectionName = unique('setup-race');
  const handled: string[] = [];
  const hooks: ConsumeHook[] = [];
  const original = AmqplibChannel.prototype.consume;

  @Injectable()
  class Worker {
    @RabbitSubscribe({ queue })
    onTask(task: { id: string }) {
      handled.push(task.id);
    }
  }

  let app: INestApplication;
  let raw: RawClient;

  beforeAll(async () => {
    AmqplibChannel.prototype.consume = async function consume(this: Channel, ...args: Parameters<Channel['consume']>) {
      const hook = args[0] === queue ? hooks.shift() : undefined;
      await hook?.before?.();
      const ok = await original.apply(this, args);
      await hook?.after?.(this);
      return ok;
    };
    raw = await RawClient.connect();
    app = await startApp({
      imports: [WarrenModule.forRoot({ connection: { name: connectionName, reconnectDelayMs: 100 } }), WarrenHealthModule],
      providers: [Worker],
    });
  });

  afterAll(async () => {
    AmqplibChannel.prototype.consume = original;
    hooks.length = 0;
    await closeAll(app);
    await raw.deleteQueues(queue);
    await raw.close();
  });

  const consumers = async () => (await raw.channel.checkQueue(queue)).consumerCount;
  const status = () => app.get(WarrenStatus).check();

  /** Holds the next consume until released; resolves `reached` when Warren is about to subscribe again. */
  function gate() {
    let release!: () => void;
    let reached = false;
    const released = new Promise<void>((resolve) => (release = resolve));
    hooks.push({
      before: async () => {
        reached = true;
        await released;
      },
    });
    return { release, reached: () => reached };
  }

  async function expectDownThenBack(next: { release: () => void; reached: () => boolean }, id: string): Promise<void> {
    // Unfixed, the dead channel was kept: no second subscribe ever came, and the status said attached.
    await waitFor(() => next.reached(), 'Warren to subscribe again on a new channel', 10_000).catch(async (error: Error) => {
      const attached = status().consumers.find((c) => c.queue === queue)?.attached;
      throw new Error(`${error.message}; meanwhile the broker counts ${await consumers()} consumers and the status says attached: ${attached}`);
    });
    expect(await consumers()).toBe(0);
    const down = status();
    expect(down.up).toBe(false);
    expect(down.consumers.find((c) => c.queue === queue)?.attached).toBe(false);
    expect(down.problems).toContain(`consumer of '${queue}' is not attached`);
    expect(app.get(WarrenHealthIndicator).isHealthy()).toMatchObject({ rabbitmq: { status: 'down', problems: down.problems } });
    next.release();
    await waitFor(async () => (await consumers()) === 1, 'the broker to count the consumer again', 10_000);
    await waitFor(() => status().up, 'the status to say up again', 5_000);
    expect(app.get(WarrenHealthIndicator).isHealthy()).toMatchObject({ rabbitmq: { status: 'up' } });
    await raw.publish('', queue, JSON.stringify({ id }), { contentType: 'application/json' });
    await waitFor(() => handled.includes(id), `message ${id} handled`, 5_000);
  }

  it('the broker closes the channel right after its consume-ok: re-opened and re-subscribed', async () => {
    expect(await consumers()).toBe(1);
    hooks.push({
      after: async (channel) => {
        const closed = new Promise((resolve) => channel.once('close', resolve));
        channel.checkQueue(unique('q.missing')).catch(() => undefined); // a passive declare of a missing queue: 404 closes the channel
        await closed;
      },
    });
    const next = gate();
    await raw.channel.deleteQueue(queue); // the broker cancels the consumer; Warren re-declares and re-subscribes
    await expectDownThenBack(next, 'after-channel-kill');
  });

  it('the connection is closed from the broker right after a consume-ok on reconnect: back on the next connection', async () => {
    const connection = app.get(BrokerConnection);
    const portOf = () => (connection.currentConnection as unknown as { connection: { stream: { localPort: number } } }).connection.stream.localPort;
    let losses = 0;
    connection.manager.on('disconnect', () => losses++);
    hooks.push({
      after: async (channel) => {
        const closed = new Promise((resolve) => channel.once('close', resolve));
        await closeFromBroker(connectionName, portOf());
        await closed;
      },
    });
    const next = gate();
    await closeFromBroker(connectionName, portOf()); // the reconnect's setup is the one killed
    await expectDownThenBack(next, 'after-connection-kill');
    expect(losses).toBe(2);
  });
});
