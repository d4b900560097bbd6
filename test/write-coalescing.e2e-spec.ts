import * as amqplib from 'amqplib';
import { coalesceWrites } from '../libs/warren/src/connection/write-coalescing';
import { BROKER_URL, RawClient, unique } from './support/broker';

interface CountedSocket {
  _write: (...args: unknown[]) => void;
  _writev?: (...args: unknown[]) => void;
}

/** Counts the writes the socket hands to the kernel (one per _write or _writev call). */
function countWrites(model: amqplib.ChannelModel): () => number {
  const socket = (model as unknown as { connection: { stream: CountedSocket } }).connection.stream;
  let writes = 0;
  const write = socket._write.bind(socket);
  socket._write = (...args) => {
    writes++;
    write(...args);
  };
  if (socket._writev) {
    const writev = socket._writev.bind(socket);
    socket._writev = (...args) => {
      writes++;
      writev(...args);
    };
  }
  return () => writes;
}

/** 100 publishes issued in one tick, confirmed; returns the socket writes they took. */
async function publishBurst(coalesce: boolean, queue: string): Promise<number> {
  const model = await amqplib.connect(BROKER_URL, { noDelay: true });
  try {
    if (coalesce) expect(coalesceWrites(model)).toBe(true);
    const channel = await model.createConfirmChannel();
    const writes = countWrites(model);
    for (let i = 0; i < 100; i++) channel.sendToQueue(queue, Buffer.from(JSON.stringify({ i })), { persistent: true });
    await channel.waitForConfirms();
    return writes();
  } finally {
    await model.close();
  }
}

/** connection.coalesceWrites reaches into amqplib; this fails when an amqplib upgrade moves what it needs. */
describe('write coalescing (real broker)', () => {
  const queue = unique('q.coalesce');
  let raw: RawClient;

  beforeAll(async () => {
    raw = await RawClient.connect();
    await raw.channel.assertQueue(queue);
  });

  afterAll(async () => {
    await raw.deleteQueues(queue);
    await raw.close();
  });

  it('sends a burst of frames in a few writes instead of one per frame, and every message arrives', async () => {
    const plain = await publishBurst(false, queue);
    const coalesced = await publishBurst(true, queue);
    expect(plain).toBeGreaterThanOrEqual(100);
    expect(coalesced).toBeLessThanOrEqual(5);
    expect(await raw.ready(queue)).toBe(200);
  });

  it('is applied once per connection, however often it is called', async () => {
    const model = await amqplib.connect(BROKER_URL, { noDelay: true });
    try {
      expect(coalesceWrites(model)).toBe(true);
      const patched = (model as unknown as { connection: { muxer: { _readIncoming: unknown } } }).connection.muxer._readIncoming;
      expect(coalesceWrites(model)).toBe(true);
      expect((model as unknown as { connection: { muxer: { _readIncoming: unknown } } }).connection.muxer._readIncoming).toBe(patched);
    } finally {
      await model.close();
    }
  });
});
