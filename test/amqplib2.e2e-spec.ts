import { InvalidMessageError, WarrenConfigurationError, createWarren, type Warren } from 'nestjs-warren';
import { golevelupConnector } from 'nestjs-warren/golevelup';
import { amqplibRoot, amqplibVersion } from '../libs/warren/src/connection/amqplib-files';
import { BROKER_URL, RawClient, unique, waitFor } from './support/broker';

/** The negotiated heartbeat (seconds) and frame size limits of a Warren's current amqplib connection. */
function tuning(warren: Warren): { heartbeat: number; frameMax: number; maxFrameSize: number } {
  const connection = (warren.connection.currentConnection as unknown as { connection: { heartbeat: number; frameMax: number; maxFrameSize: number } }).connection;
  return { heartbeat: connection.heartbeat, frameMax: connection.frameMax, maxFrameSize: connection.maxFrameSize };
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => new Error('expected a rejection'),
    (error: unknown) => error,
  );
}

/** What changed with amqplib 2.x (Warren's amqplib now), against the broker. */
describe('amqplib 2.x (real broker)', () => {
  const queue = unique('q.amqplib2');
  const warrens: Warren[] = [];
  let raw: RawClient;
  const start = async (options: Parameters<typeof createWarren>[0]) => {
    const warren = await createWarren({ logger: false, ...options });
    warrens.push(warren);
    return warren;
  };

  beforeAll(async () => {
    raw = await RawClient.connect();
    await raw.channel.assertQueue(queue, { durable: false });
  });

  afterAll(async () => {
    await Promise.allSettled(warrens.map((warren) => warren.close()));
    await raw.deleteQueues(queue);
    await raw.close();
  });

  it('is the amqplib the connection uses', () => {
    expect(amqplibVersion(amqplibRoot())).toMatch(/^2\.3\./);
  });

  it("heartbeatSeconds: 0 turns heartbeats off (2.x); a number is proposed and taken, the default is Warren's 5", async () => {
    expect(tuning(await start({ connection: { heartbeatSeconds: 0 } })).heartbeat).toBe(0);
    expect(tuning(await start({ connection: { heartbeatSeconds: 7 } })).heartbeat).toBe(7);
    expect(tuning(await start({})).heartbeat).toBe(5);
  });

  it("maxFrameSize: amqplib's default (64 MiB) unless the URI sets one; a URI's own value is taken", async () => {
    expect(tuning(await start({})).maxFrameSize).toBe(64 * 1024 * 1024);
    expect(tuning(await start({ uri: `${BROKER_URL}?maxFrameSize=262144` })).maxFrameSize).toBe(262_144);
  });

  it.each([
    ['maxFrameSize=8192', /maxFrameSize 8192 must be 0 \(no limit\) or at least 4096 and at least frameMax \(131072\)/],
    ['maxFrameSize=100', /maxFrameSize 100 must be/],
    ['frameMax=1024', /frameMax 1024 is below AMQP's minimum frame size 4096/],
    ['heartbeat=soon', /heartbeat must be a whole number, got 'soon'/],
  ])('a URI with %s fails start-up at once with WarrenConfigurationError', async (query, reason) => {
    const error = await rejection(createWarren({ logger: false, uri: `${BROKER_URL}?${query}` }));
    expect(error).toBeInstanceOf(WarrenConfigurationError);
    expect((error as Error).message).toMatch(reason);
    expect((error as Error).message).not.toContain('guest:guest');
  });

  it("headers past amqplib 2.x's 64 KiB encoding buffer: InvalidMessageError, never its RangeError; the channel goes on", async () => {
    const warren = await start({});
    const big = { big: 'x'.repeat(70_000) };
    for (const attempt of [
      warren.producer.publish('', queue, { n: 1 }, { headers: big }),
      warren.rpc.request('', queue, { n: 1 }, { headers: big, timeoutMs: 1_000 }),
    ]) {
      const error = await rejection(attempt);
      expect(error).toBeInstanceOf(InvalidMessageError);
      expect(error).not.toBeInstanceOf(RangeError);
      expect((error as Error).message).toMatch(/at most 64000 fit/);
    }
    // The largest headers Warren accepts go through amqplib 2.x and arrive intact.
    const largest = { big: 'y'.repeat(63_980) };
    await warren.producer.publish('', queue, { n: 2 }, { headers: largest });
    await waitFor(async () => (await raw.ready(queue)) === 1, 'the message with large headers');
    const [message] = await raw.drain(queue);
    expect(String(message.properties.headers?.big)).toHaveLength(63_980);
  });

  it('connector: golevelupConnector still connects through golevelup (an optional peer) and Warren runs on it', async () => {
    const warren = await start({ connector: golevelupConnector });
    expect(warren.connection.isConnected).toBe(true);
    await warren.producer.publish('', queue, { via: 'golevelup' });
    await waitFor(async () => (await raw.ready(queue)) === 1, 'the message');
    const [message] = await raw.drain(queue);
    expect(JSON.parse(message.content.toString())).toEqual({ via: 'golevelup' });
  });
});
