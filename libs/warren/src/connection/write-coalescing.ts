import type { ChannelModel } from 'amqplib';

/** The parts of amqplib's connection internals this relies on (amqplib 0.10). */
interface AmqplibInternals {
  stream?: { cork?: () => void; uncork?: () => void };
  muxer?: { _readIncoming?: (this: unknown) => void; [COALESCING]?: true };
}

const COALESCING = Symbol('warren.coalescing');

/**
 * Makes one socket write out of every frame amqplib sends in one turn of the event loop.
 *
 * amqplib queues each channel's frames and its multiplexer writes them to the socket one
 * `write()` per frame. With TCP_NODELAY (needed for RPC latency) that is one TCP segment per
 * publish, ack or reply, which both this process and the broker pay for in system calls. Corking
 * the socket around one round of the multiplexer hands the kernel one `writev` instead; nothing
 * waits longer than before, since the round itself is unchanged.
 *
 * This reaches into amqplib internals; when they are not shaped as expected (another amqplib
 * version), it changes nothing and returns false, and amqplib writes frame by frame as before.
 */
export function coalesceWrites(model: ChannelModel): boolean {
  const internals = (model as unknown as { connection?: AmqplibInternals }).connection;
  const stream = internals?.stream;
  const muxer = internals?.muxer;
  const readIncoming = muxer?._readIncoming;
  if (!stream || !muxer || typeof readIncoming !== 'function' || typeof stream.cork !== 'function' || typeof stream.uncork !== 'function') {
    return false;
  }
  if (muxer[COALESCING]) return true;
  const cork = stream.cork.bind(stream);
  const uncork = stream.uncork.bind(stream);
  muxer._readIncoming = function coalescedRound(this: unknown) {
    cork();
    try {
      readIncoming.call(this);
    } finally {
      uncork();
    }
  };
  muxer[COALESCING] = true;
  return true;
}
