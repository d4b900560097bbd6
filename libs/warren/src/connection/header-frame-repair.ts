/**
 * Rewrites the payload of an AMQP content-header frame (basic class) whose header table amqplib
 * cannot decode, so that amqplib's own decoder can: every table or array nested deeper than
 * `maxDepth` becomes a short string (`TOO_DEEP_MARKER`), or, if the table is not even well formed,
 * the headers are left out. Pure functions on buffers; the walk recurses at most `maxDepth + 1`
 * levels whatever the input, and never decodes what it replaces.
 */

/** What stands in for a table or array nested too deep to decode. */
export const TOO_DEEP_MARKER = '[warren: nested too deep, not decoded]';

const BASIC_CLASS = 60;
/** Property flags of the basic class: content-type, content-encoding, headers. */
const CONTENT_TYPE = 0x8000;
const CONTENT_ENCODING = 0x4000;
const HEADERS = 0x2000;
/** class-id (2), weight (2), body size (8), then the property flags (2). */
const FLAGS_OFFSET = 12;

/** Bytes after the tag, for field types of fixed size (AMQP 0-9-1 as RabbitMQ and amqplib read it). */
const FIXED_SIZE: Record<string, number> = { b: 1, B: 1, t: 1, s: 2, u: 2, I: 4, i: 4, f: 4, D: 5, d: 8, l: 8, T: 8, V: 0 };

class MalformedTableError extends Error {}

export interface HeaderTablePosition {
  /** Offset of the table's 4-byte length in the payload. */
  at: number;
  length: number;
}

/** Where the header table sits in a basic content-header payload; undefined if it has none. */
export function headerTableOf(payload: Buffer): HeaderTablePosition | undefined {
  if (payload.length < FLAGS_OFFSET + 2 || payload.readUInt16BE(0) !== BASIC_CLASS) return undefined;
  const flags = payload.readUInt16BE(FLAGS_OFFSET);
  if (!(flags & HEADERS)) return undefined;
  let at = FLAGS_OFFSET + 2;
  if (flags & CONTENT_TYPE) at += 1 + payload.readUInt8(at);
  if (flags & CONTENT_ENCODING) at += 1 + payload.readUInt8(at);
  const length = payload.readUInt32BE(at);
  if (at + 4 + length > payload.length) throw new MalformedTableError('the header table is longer than its frame');
  return { at, length };
}

/**
 * The payload with every table or array nested deeper than `maxDepth` (the header table itself is
 * depth 0) replaced by `TOO_DEEP_MARKER`, and how many were replaced. Throws on a table that is not
 * well formed (an unknown type tag, a length past its end).
 */
export function pruneDeepTables(payload: Buffer, maxDepth: number): { payload: Buffer; pruned: number } {
  const position = headerTableOf(payload);
  if (!position) return { payload, pruned: 0 };
  const counter = { pruned: 0 };
  const body = payload.subarray(position.at + 4, position.at + 4 + position.length);
  const table = rewrite(body, true, 0, maxDepth, counter);
  const payloadOut = Buffer.concat([payload.subarray(0, position.at), uint32(table.length), table, payload.subarray(position.at + 4 + position.length)]);
  return { payload: payloadOut, pruned: counter.pruned };
}

/** The payload without its header table (the headers flag cleared). */
export function withoutHeaders(payload: Buffer): Buffer {
  const position = headerTableOf(payload);
  if (!position) return payload;
  const out = Buffer.concat([payload.subarray(0, position.at), payload.subarray(position.at + 4 + position.length)]);
  out.writeUInt16BE(out.readUInt16BE(FLAGS_OFFSET) & ~HEADERS, FLAGS_OFFSET);
  return out;
}

/** A table's (with names) or an array's (without) entries, copied; containers below `maxDepth` replaced. */
function rewrite(body: Buffer, named: boolean, depth: number, maxDepth: number, counter: { pruned: number }): Buffer {
  const parts: Buffer[] = [];
  let offset = 0;
  while (offset < body.length) {
    const start = offset;
    if (named) offset += 1 + byteAt(body, offset);
    const tag = String.fromCharCode(byteAt(body, offset));
    const fixed = FIXED_SIZE[tag];
    if (fixed !== undefined) {
      offset += 1 + fixed;
      need(body, offset);
      parts.push(body.subarray(start, offset));
      continue;
    }
    if (tag !== 'S' && tag !== 'x' && tag !== 'F' && tag !== 'A') throw new MalformedTableError(`unknown field type tag '${tag}'`);
    need(body, offset + 5);
    const length = body.readUInt32BE(offset + 1);
    const end = offset + 5 + length;
    need(body, end);
    if (tag === 'S' || tag === 'x') {
      parts.push(body.subarray(start, end));
    } else if (depth + 1 > maxDepth) {
      counter.pruned++;
      const marker = Buffer.from(TOO_DEEP_MARKER, 'utf8');
      parts.push(body.subarray(start, offset), Buffer.from('S'), uint32(marker.length), marker);
    } else {
      const inner = rewrite(body.subarray(offset + 5, end), tag === 'F', depth + 1, maxDepth, counter);
      parts.push(body.subarray(start, offset + 1), uint32(inner.length), inner);
    }
    offset = end;
  }
  return Buffer.concat(parts);
}

function byteAt(body: Buffer, offset: number): number {
  need(body, offset + 1);
  return body[offset];
}

function need(body: Buffer, end: number): void {
  if (end > body.length) throw new MalformedTableError('a field runs past the end of its table');
}

function uint32(value: number): Buffer {
  const buffer = Buffer.alloc(4);
  buffer.writeUInt32BE(value);
  return buffer;
}
