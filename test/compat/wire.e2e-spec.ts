import { INestApplication } from '@nestjs/common';
import type { ConsumeMessage, GetMessage } from 'amqplib';
import { closeAll } from '../support/app';
import { BROKER_URL, RawClient, unique, waitFor } from '../support/broker';
import { GolevelupConnection, LIBRARIES, LibraryName, Received, responder, startGolevelupApp, subscriber } from '../support/golevelup-apps';

/** Values an application hands `publish`, or returns from an RPC handler. */
const VALUES: unknown[] = [
  { a: 1, s: 'x' },
  [1, 'two', null],
  42,
  'hello',
  '',
  'Straße ✓',
  '"already quoted"',
  true,
  null,
  undefined,
  Buffer.from('{"b":2}'),
  Buffer.from('plain text'),
  Buffer.from([0xff, 0x00, 0x10]),
  new Uint8Array([0x7b, 0x7d]),
];
const LIBS: LibraryName[] = ['golevelup', 'warren'];

/**
 * A golevelup 9 app and a `nestjs-warren/golevelup` app on one broker (a mixed fleet): each
 * publishes, consumes, calls and answers, and each side reads the other exactly as golevelup reads
 * golevelup — the bytes on the wire are the same, and so is what handlers and callers are given.
 */
describe('golevelup compatibility: the wire between golevelup 9 and nestjs-warren/golevelup (real broker)', () => {
  const exchange = unique('compat.wire');
  const tap = unique('q.compat.wire.tap');
  const queue = (lib: LibraryName, role: string) => `${exchange}.${lib}.${role}`;
  const received: Record<string, Received[]> = {};
  const echoed: Record<LibraryName, unknown[]> = { golevelup: [], warren: [] };
  const apps: Partial<Record<LibraryName, INestApplication>> = {};
  const connection = (lib: LibraryName) => apps[lib]!.get(LIBRARIES[lib].AmqpConnection) as GolevelupConnection;
  let raw: RawClient;

  beforeAll(async () => {
    raw = await RawClient.connect();
    await raw.channel.assertExchange(exchange, 'topic', { durable: false });
    await raw.channel.assertQueue(tap, { durable: false });
    await raw.channel.bindQueue(tap, exchange, 'pub.#');
    for (const lib of LIBS) {
      const library = LIBRARIES[lib];
      const on = (role: string, extra: Record<string, unknown> = {}) => ({ exchange, queue: queue(lib, role), queueOptions: { durable: false }, ...extra });
      received[`${lib}.strict`] = [];
      received[`${lib}.lenient`] = [];
      apps[lib] = await startGolevelupApp(
        library,
        // golevelup's default REQUEUE would loop on a message its JSON.parse refuses; NACK drops (Warren: parks) it.
        { uri: BROKER_URL, exchanges: [{ name: exchange, type: 'topic', options: { durable: false } }], defaultSubscribeErrorBehavior: library.MessageHandlerErrorBehavior.NACK },
        [
          subscriber(library, on('strict', { routingKey: 'pub.#' }), received[`${lib}.strict`]),
          subscriber(library, on('lenient', { routingKey: 'pub.#', allowNonJsonMessages: true }), received[`${lib}.lenient`]),
          // golevelup's RPC consumers check the routing key, so each server has keys of its own.
          responder(library, on('rpc', { routingKey: `rpc.${lib}.value` }), (payload) => VALUES[(payload as { i: number }).i]),
          responder(library, on('echo', { routingKey: `rpc.${lib}.echo` }), (payload) => (echoed[lib].push(payload), { ok: true })),
        ],
      );
    }
  });

  afterAll(async () => {
    await closeAll(...Object.values(apps));
    await raw.deleteQueues(tap, ...LIBS.flatMap((lib) => ['strict', 'lenient', 'rpc', 'echo'].map((role) => queue(lib, role))));
    await raw.deleteExchanges(exchange);
    await raw.close();
  });

  it('publish: the same bytes and content type from both, for every kind of value', async () => {
    for (const lib of LIBS) {
      for (const [i, value] of VALUES.entries()) await connection(lib).publish(exchange, 'pub.values', value, { headers: { i, from: lib } });
    }
    await waitFor(async () => (await raw.ready(tap)) === 2 * VALUES.length, 'every publish in the tap');
    const messages = await raw.drain(tap);
    const wire = (lib: LibraryName) => messages.filter((m) => m.properties.headers?.from === lib).map(onTheWire);
    expect(wire('warren')).toEqual(wire('golevelup'));
    expect(wire('golevelup')[3]).toEqual({ content: '"hello"', contentType: undefined }); // strings are JSON, as golevelup sends them
  });

  it('consume: each handler reads what either side published as golevelup reads it', async () => {
    // Published by the previous test; the strict consumers fail (and drop or park) what is not JSON.
    const expectedTexts = VALUES.length * 2;
    await waitFor(() => received['golevelup.lenient'].length === expectedTexts && received['warren.lenient'].length === expectedTexts, 'every message, leniently');
    const strictCount = received['golevelup.strict'].length;
    await waitFor(async () => received['warren.strict'].length === strictCount && (await raw.ready(`${queue('warren', 'strict')}.dlq`)) === expectedTexts - strictCount, "Warren's strict reads and refusals");
    for (const kind of ['strict', 'lenient']) {
      const byOrigin = (lib: LibraryName) => Object.fromEntries(received[`${lib}.${kind}`].map((r) => [`${r.headers.from}:${r.headers.i}`, normalise(r.payload)]));
      expect(byOrigin('warren')).toEqual(byOrigin('golevelup'));
    }
    // What golevelup's JSON.parse makes of them (and what it refuses without allowNonJsonMessages).
    const strict = Object.fromEntries(received['golevelup.strict'].filter((r) => r.headers.from === 'warren').map((r) => [r.headers.i, r.payload]));
    expect(strict).toEqual({ 0: { a: 1, s: 'x' }, 1: [1, 'two', null], 2: 42, 3: 'hello', 4: '', 5: 'Straße ✓', 6: '"already quoted"', 7: true, 10: { b: 2 }, 13: {} });
  });

  it('RPC: both answer with the same bytes and content type, Buffers and non-JSON results included', async () => {
    const replies: Record<LibraryName, Array<{ content: string; contentType?: string }>> = { golevelup: [], warren: [] };
    for (const lib of LIBS) {
      for (const i of VALUES.keys()) replies[lib].push(onTheWire(await rawCall(`rpc.${lib}.value`, { i })));
    }
    expect(replies.warren).toEqual(replies.golevelup);
    expect(replies.golevelup[11]).toEqual({ content: 'plain text', contentType: undefined });
  });

  it('requests both ways: golevelup and Warren callers get the same results from either server', async () => {
    // golevelup's caller JSON.parses replies: results that are not JSON are not asked of it.
    const readable = [...VALUES.keys()].filter((i) => ![11, 12].includes(i));
    const results = (caller: LibraryName, server: LibraryName) =>
      Promise.all(readable.map((i) => connection(caller).request({ exchange, routingKey: `rpc.${server}.value`, payload: { i }, timeout: 5_000 })));
    const reference = await results('golevelup', 'golevelup');
    expect(reference.slice(0, 4)).toEqual([{ a: 1, s: 'x' }, [1, 'two', null], 42, 'hello']);
    expect(await results('golevelup', 'warren')).toEqual(reference);
    expect(await results('warren', 'golevelup')).toEqual(reference);
    expect(await results('warren', 'warren')).toEqual(reference);
    // Warren's caller takes a result that is not JSON as text (golevelup's cannot read it at all).
    await expect(connection('warren').request({ exchange, routingKey: 'rpc.golevelup.value', payload: { i: 11 } })).resolves.toBe('plain text');
  });

  it('requests both ways: the payload reaches the handler as golevelup sends it (a falsy one as {})', async () => {
    const payloads: unknown[] = ['hi', 0, { x: 1 }, Buffer.from('{"y":2}'), null];
    for (const server of LIBS) {
      for (const caller of LIBS) {
        echoed[server].length = 0;
        for (const payload of payloads) await connection(caller).request({ exchange, routingKey: `rpc.${server}.echo`, payload });
        expect(echoed[server]).toEqual(['hi', {}, { x: 1 }, { y: 2 }, {}]);
      }
    }
  });

  it("a golevelup caller's X-Request-ID comes back on Warren's reply, so golevelup matches it", async () => {
    const reply = connection('golevelup').request({ exchange, routingKey: 'rpc.warren.value', payload: { i: 2 }, timeout: 5_000, headers: { 'X-Request-ID': 'req-1' } });
    await expect(reply).resolves.toBe(42);
  });

  /** A tutorial-style call with a reply queue of its own, to see a reply's bytes as they travel. */
  async function rawCall(routingKey: string, payload: unknown): Promise<ConsumeMessage> {
    const channel = await raw.connection.createChannel();
    try {
      const { queue: replyTo } = await channel.assertQueue('', { exclusive: true });
      const reply = new Promise<ConsumeMessage>((resolve) => void channel.consume(replyTo, (m) => m && resolve(m), { noAck: true }));
      channel.publish(exchange, routingKey, Buffer.from(JSON.stringify(payload)), { replyTo, correlationId: routingKey });
      return await reply;
    } finally {
      await channel.close();
    }
  }
});

function onTheWire(message: GetMessage | ConsumeMessage): { content: string; contentType?: string } {
  return { content: message.content.toString('latin1'), contentType: message.properties.contentType };
}

/** Buffers and typed arrays compared by their bytes. */
function normalise(value: unknown): unknown {
  return Buffer.isBuffer(value) ? { buffer: value.toString('hex') } : value;
}
