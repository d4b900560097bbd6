import { isDeepStrictEqual } from 'util';
import { HEADERS } from '../warren.constants';
import type { FrameReader } from './amqplib-field-decoder';
import { TOO_DEEP_MARKER } from './header-frame-repair';

/**
 * Before Warren's frame reader replaces amqplib's, both read the same bytes (whole frames, a frame
 * split across socket reads, a partial frame left over) and must give the same frames and leave
 * the same state; then Warren's must decode a content header that amqplib's cannot. Returns what
 * differed, or undefined. This is what makes an amqplib upgrade fail at start-up instead of later.
 */
export function checkFrameReader(original: FrameReader['recvFrame'], guarded: FrameReader['recvFrame']): string | undefined {
  const stream = Buffer.concat([methodFrame(), headerFrame(table(entry('n', 'I', int32(7)), entry('t', 'F', table(entry('s', 'S', longString('x')))))), bodyFrame(), HEARTBEAT]);
  // amqplib 2.3+ refuses a frame larger than its maxFrameSize (0.10 reads it): the guard must do the same.
  const oversized = Buffer.concat([methodFrame(), frame(3, 1, Buffer.alloc(SMALL_MAX_FRAME + 1))]);
  const cases: Array<[string, Buffer, Buffer[], number]> = [
    ['whole frames already buffered', Buffer.concat([stream, stream.subarray(0, 5)]), [], 131_072],
    ['frames split across reads', Buffer.alloc(0), [stream.subarray(0, 3), stream.subarray(3, 20), stream.subarray(20), Buffer.from([1, 0])], 131_072],
    ['a frame over maxFrameSize', Buffer.alloc(0), [oversized.subarray(0, 15), oversized.subarray(15)], SMALL_MAX_FRAME],
  ];
  for (const [name, rest, chunks, maxFrameSize] of cases) {
    const theirs = readAll(original, rest, chunks, maxFrameSize);
    const ours = readAll(guarded, rest, chunks, maxFrameSize);
    if (!isDeepStrictEqual(theirs, ours)) return `its frame reader and Warren's differ on ${name}`;
  }
  let deep = table(entry('leaf', 'S', longString('bottom')), entry('bad', 'Z', Buffer.alloc(0)));
  for (let i = 0; i < 80; i++) deep = table(entry('a', 'F', deep));
  const [repaired] = readAll(guarded, headerFrame(deep), []).frames as Array<{ fields?: { headers?: Record<string, unknown> } }>;
  const headers = repaired?.fields?.headers;
  let value: unknown = headers;
  for (let i = 0; i < 65 && value && typeof value === 'object'; i++) value = (value as Record<string, unknown>).a;
  if (typeof headers?.[HEADERS.headersUndecodable] !== 'string' || value !== TOO_DEEP_MARKER) {
    return 'a header table nested too deep was not decoded with the expected marker';
  }
  return undefined;
}

/** Reads frames until the reader says it needs more; records what it returned and left behind. */
function readAll(recvFrame: FrameReader['recvFrame'], rest: Buffer, chunks: Buffer[], maxFrameSize = 131_072) {
  const queue = [...chunks];
  // amqplib's reader calls itself (this.recvFrame) after each read from the socket.
  const reader = { rest, recvSinceLastCheck: false, maxFrameSize, stream: { read: () => queue.shift() ?? null }, recvFrame };
  const frames: unknown[] = [];
  for (let i = 0; i < 20; i++) {
    let frame: unknown;
    try {
      frame = reader.recvFrame();
    } catch (error) {
      frames.push(`threw ${(error as Error).name}: ${(error as Error).message}`);
      break;
    }
    if (!frame) break;
    frames.push(frame);
  }
  return { frames, rest: [...reader.rest], recvSinceLastCheck: reader.recvSinceLastCheck, unread: queue.length };
}

const HEARTBEAT = frame(8, 0, Buffer.alloc(0));
/** amqplib's smallest maxFrameSize (the protocol's frame minimum). */
const SMALL_MAX_FRAME = 4096;

function frame(type: number, channel: number, payload: Buffer): Buffer {
  const head = Buffer.alloc(7);
  head.writeUInt8(type, 0);
  head.writeUInt16BE(channel, 1);
  head.writeUInt32BE(payload.length, 3);
  return Buffer.concat([head, payload, Buffer.from([0xce])]);
}

/** basic.qos-ok: a method without arguments. */
function methodFrame(): Buffer {
  return frame(1, 1, int32(3932171));
}

/** A basic content header with a content type and `headers`. */
function headerFrame(headers: Buffer): Buffer {
  const head = Buffer.alloc(14);
  head.writeUInt16BE(60, 0);
  head.writeBigUInt64BE(3n, 4);
  head.writeUInt16BE(0x8000 | 0x2000, 12);
  return frame(2, 1, Buffer.concat([head, Buffer.from([4]), Buffer.from('text'), headers]));
}

function bodyFrame(): Buffer {
  return frame(3, 1, Buffer.from('abc'));
}

export function table(...entries: Buffer[]): Buffer {
  const body = Buffer.concat(entries);
  return Buffer.concat([int32(body.length), body]);
}

/** `value` already holds the length prefix where the type has one (`table()`, `longString()`). */
export function entry(key: string, tag: string, value: Buffer): Buffer {
  return Buffer.concat([Buffer.from([key.length]), Buffer.from(key), Buffer.from(tag), value]);
}

export function longString(text: string): Buffer {
  return Buffer.concat([int32(Buffer.byteLength(text)), Buffer.from(text)]);
}

function int32(value: number): Buffer {
  const buffer = Buffer.alloc(4);
  buffer.writeUInt32BE(value);
  return buffer;
}
