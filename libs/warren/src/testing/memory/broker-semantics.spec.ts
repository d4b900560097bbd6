import type { ConsumeMessage } from 'amqplib';
import { MemoryBroker } from './memory-broker';
import { MemoryConnection } from './memory-connection';
import type { MemoryChannel } from './memory-channel';

type Settle = 'reject' | 'nack';

/**
 * The in-memory broker counts a quorum queue's deliveries as the version it emulates does (the
 * same figures as RabbitMQ 3.10.8, 4.0.5 and 4.3.6 gave for the same sequence).
 */
async function loop(version: string | undefined, settle: Settle, args: Record<string, unknown>, rounds = 6) {
  const broker = new MemoryBroker(version === undefined ? {} : { version });
  const connection = new MemoryConnection(broker);
  const channel: MemoryChannel = await connection.createChannel();
  await channel.assertQueue('parked', { arguments: { 'x-queue-type': 'quorum', 'x-delivery-limit': -1 } });
  await channel.assertQueue('work', { arguments: { 'x-queue-type': 'quorum', 'x-dead-letter-exchange': '', 'x-dead-letter-routing-key': 'parked', ...args } });
  const seen: Array<[unknown, unknown]> = [];
  let parked: NodeJS.Timeout | undefined;
  await new Promise<void>((resolve) => {
    void channel.consume('work', (message: ConsumeMessage | null) => {
      if (!message) return;
      seen.push([message.properties.headers?.['x-delivery-count'], message.properties.headers?.['x-acquired-count']]);
      if (seen.length >= rounds) {
        channel.ack(message);
        resolve();
      } else if (settle === 'reject') channel.reject(message, true);
      else channel.nack(message, false, true);
    });
    channel.publish('', 'work', Buffer.from('x'));
    parked = setInterval(() => broker.messageCount('parked') === 1 && resolve(), 1);
  });
  clearInterval(parked);
  const dead = broker.peek('parked')[0]?.properties.headers;
  await connection.close();
  return { seen, dead };
}

describe('MemoryBroker versions', () => {
  it('announces the emulated version, 4.3.6 unless told', () => {
    expect(new MemoryConnection(new MemoryBroker()).connection.serverProperties).toEqual({ product: 'RabbitMQ', version: '4.3.6' });
    expect(new MemoryConnection(new MemoryBroker({ version: '3.13.7' })).connection.serverProperties.version).toBe('3.13.7');
    expect(() => new MemoryBroker({ version: 'latest' })).toThrow(/not a RabbitMQ version/);
  });

  it.each([['3.13.7'], ['4.0.5'], [undefined]])('counts basic.reject toward the delivery limit on %s (undefined: the default, 4.3.6)', async (version) => {
    const { seen, dead } = await loop(version, 'reject', { 'x-delivery-limit': 3 });
    const acquired = version === undefined ? [undefined, 1, 2, 3] : [undefined, undefined, undefined, undefined];
    expect(seen).toEqual([undefined, 1, 2, 3].map((count, i) => [count, acquired[i]]));
    expect(dead?.['x-first-death-reason']).toBe('delivery_limit');
    // 4.3 keeps both counters on the dead letter (the return past the limit included: 4 and 4); older versions neither.
    expect([dead?.['x-delivery-count'], dead?.['x-acquired-count']]).toEqual(version === undefined ? [4, 4] : [undefined, undefined]);
  });

  it('counts basic.nack before 4.3 only; 4.3 counts every acquisition instead', async () => {
    expect((await loop('4.0.5', 'nack', { 'x-delivery-limit': 3 })).seen).toEqual([[undefined, undefined], [1, undefined], [2, undefined], [3, undefined]]);
    const newest = await loop(undefined, 'nack', { 'x-delivery-limit': 3 });
    expect(newest.seen).toEqual([[undefined, undefined], [undefined, 1], [undefined, 2], [undefined, 3], [undefined, 4], [undefined, 5]]);
    expect(newest.dead).toBeUndefined();
  });

  it('applies a default limit of 20 from 4.0 (-1: none); 3.x has none by default and dead-letters at the first return with -1', async () => {
    expect((await loop('4.0.5', 'reject', {}, 30)).seen).toHaveLength(21);
    expect((await loop('4.0.5', 'reject', { 'x-delivery-limit': -1 }, 30)).seen).toHaveLength(30);
    expect((await loop('3.13.7', 'reject', {}, 30)).seen).toHaveLength(30);
    expect((await loop('3.13.7', 'reject', { 'x-delivery-limit': -1 }, 30)).seen).toHaveLength(1);
  });

  it('refuses x-queue-version 1 from 4.3, and x-max-priority on a quorum queue on every version', async () => {
    for (const [version, args, refused] of [
      ['4.3.6', { 'x-queue-version': 1 }, true],
      ['4.0.5', { 'x-queue-version': 1 }, false],
      ['4.3.6', { 'x-queue-type': 'quorum', 'x-max-priority': 5 }, true],
    ] as const) {
      const declare = () => new MemoryBroker({ version }).assertQueue('q', { arguments: args }, {});
      if (refused) expect(declare).toThrow(/PRECONDITION_FAILED - invalid arg/);
      else expect(declare).not.toThrow();
    }
  });
});
