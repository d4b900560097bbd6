import { dirname } from 'path';
import { WarrenConfigurationError } from '../errors/configuration.error';
import { redactText } from '../logging/redact';
import { MAX_HEADER_DEPTH } from '../outgoing/field-table';
import { HEADERS } from '../warren.constants';
import { MESSAGES } from '../warren.messages';
import { pruneDeepTables, withoutHeaders } from './header-frame-repair';
import { checkFrameReader } from './frame-reader-check';
import { amqplibFile, amqplibRoot, amqplibVersion } from './amqplib-files';

/** A frame as amqplib's parseFrame returns it. */
interface RawFrame {
  type: number;
  channel: number;
  size: number;
  payload: Buffer;
  rest: Buffer;
}

/** The parts of amqplib's Connection that read frames (0.10.x and 2.x alike). */
export interface FrameReader {
  rest: Buffer;
  stream: { read(): Buffer | null };
  recvSinceLastCheck: boolean;
  maxFrameSize?: number;
  recvFrame(): unknown;
}

/** One copy of amqplib on disk, as far as the guard needs it. */
export interface AmqplibInternals {
  version: string;
  root: string;
  Connection: { prototype: FrameReader };
  parseFrame(bin: Buffer, max?: number): RawFrame | false;
  decodeFrame(frame: RawFrame): { fields?: Record<string, unknown> } & Record<string, unknown>;
}

const FRAME_HEADER = 2;
const GUARDED = Symbol.for('warren.guardedRecvFrame');

/**
 * amqplib decodes header tables recursively: one nested some 9,000 levels deep (63 KB, well inside a
 * frame) overflows the stack, and amqplib turns that into a frame error that closes the whole
 * connection, on every redelivery (issue 22). Its modules bind `decode`/`decodeFrame` at load, so
 * patching those exports changes nothing; the reader that is looked up on each call is
 * `Connection.prototype.recvFrame`. Warren's version reads frames exactly as amqplib's does (checked
 * against it at install) and, only when amqplib fails to decode a content header, re-decodes it
 * with amqplib's own decoder after replacing the over-deep tables (or, for a table that is not well
 * formed, the headers) and says so in the `warren-headers-undecodable` header. Idempotent; every
 * copy of amqplib Warren's connection may use is guarded. Throws `WarrenConfigurationError` if
 * amqplib's internals are not the ones this was written for.
 */
export function guardAmqplibHeaderDecoding(): AmqplibInternals[] {
  const copies = amqplibCopies();
  for (const amqplib of copies) guard(amqplib);
  return copies;
}

/** Whether amqplib connection `connection` (amqplib's own `Connection`) reads through the guard. */
export function isGuarded(connection: object): boolean {
  return (connection as { recvFrame?: { [GUARDED]?: boolean } }).recvFrame?.[GUARDED] === true;
}

/** Guards one copy of amqplib (idempotent). */
export function guard(amqplib: AmqplibInternals): void {
  const proto = amqplib.Connection.prototype;
  if (isGuarded(proto)) return;
  if (typeof proto.recvFrame !== 'function' || typeof amqplib.parseFrame !== 'function' || typeof amqplib.decodeFrame !== 'function') {
    throw new WarrenConfigurationError(MESSAGES.amqplibGuardUnsupported(amqplib.version, amqplib.root, 'Connection.prototype.recvFrame, parseFrame or decodeFrame is missing'));
  }
  const guarded = guardedRecvFrame(amqplib);
  const mismatch = checkFrameReader(proto.recvFrame, guarded);
  if (mismatch) throw new WarrenConfigurationError(MESSAGES.amqplibGuardUnsupported(amqplib.version, amqplib.root, mismatch));
  Object.defineProperty(guarded, GUARDED, { value: true });
  proto.recvFrame = guarded;
}

/** amqplib's recvFrame, step for step, with the decode of a content header made unable to kill the connection. */
export function guardedRecvFrame(amqplib: AmqplibInternals): (this: FrameReader) => unknown {
  return function recvFrame(this: FrameReader): unknown {
    for (;;) {
      const frame = amqplib.parseFrame(this.rest, this.maxFrameSize);
      if (frame) {
        this.rest = frame.rest;
        return decodeGuarded(amqplib, frame);
      }
      const incoming = this.stream.read();
      if (incoming === null) return false;
      this.recvSinceLastCheck = true;
      this.rest = Buffer.concat([this.rest, incoming]);
    }
  };
}

function decodeGuarded(amqplib: AmqplibInternals, frame: RawFrame): unknown {
  try {
    return amqplib.decodeFrame(frame);
  } catch (error) {
    if (frame.type !== FRAME_HEADER) throw error;
    return repair(amqplib, frame, error) ?? rethrow(error);
  }
}

/** The content header decoded without what amqplib could not decode, or undefined. */
function repair(amqplib: AmqplibInternals, frame: RawFrame, error: unknown) {
  try {
    const { payload, pruned } = pruneDeepTables(frame.payload, MAX_HEADER_DEPTH);
    if (pruned > 0) return withReason(amqplib.decodeFrame({ ...frame, payload }), MESSAGES.headersTooDeep(MAX_HEADER_DEPTH));
  } catch {
    // not well formed, or still not decodable: leave the headers out below
  }
  try {
    const reason = MESSAGES.headersNotDecodable(redactText(error instanceof Error ? error.message : String(error)));
    const decoded = amqplib.decodeFrame({ ...frame, payload: withoutHeaders(frame.payload) });
    return withReason(decoded, reason);
  } catch {
    return undefined;
  }
}

function withReason<T extends { fields?: Record<string, unknown> }>(decoded: T, reason: string): T {
  if (decoded.fields) decoded.fields.headers = { ...((decoded.fields.headers as object | undefined) ?? {}), [HEADERS.headersUndecodable]: reason };
  return decoded;
}

function rethrow(error: unknown): never {
  throw error;
}

/**
 * The amqplib Warren imports and the one amqp-connection-manager imports (usually the same), each
 * loaded by absolute path (see amqplib-files.ts): the very modules the connection uses.
 */
function amqplibCopies(): AmqplibInternals[] {
  const roots = new Set<string>([amqplibRoot()]);
  try {
    roots.add(amqplibRoot(dirname(require.resolve('amqp-connection-manager'))));
  } catch {
    // amqp-connection-manager not installed where Node finds it: only Warren's own amqplib
  }
  return [...roots].map(amqplibAt);
}

/** The frame-reading internals of the amqplib installed at `root`. */
export function amqplibAt(root: string): AmqplibInternals {
  const version = amqplibVersion(root);
  try {
    const { Connection } = amqplibFile<Pick<AmqplibInternals, 'Connection'>>('connection', root);
    const { parseFrame, decodeFrame } = amqplibFile<Pick<AmqplibInternals, 'parseFrame' | 'decodeFrame'>>('frame', root);
    return { version, root, Connection, parseFrame, decodeFrame };
  } catch (error) {
    throw new WarrenConfigurationError(MESSAGES.amqplibGuardUnsupported(version, root, (error as Error).message));
  }
}
