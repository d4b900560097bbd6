import type { Channel, ConsumeMessage } from 'amqplib';
import { HEADERS, STREAM_ACCEPT } from '../warren.constants';
import { ReplyOptions, sendNextReply } from './rpc-reply';

/**
 * An RPC handler's answer in several replies, for a caller that takes a stream (see
 * `acceptsStream`). `run(sendNext)` calls `sendNext` for each value but the last, as they come, and
 * resolves with the last one, which goes out as the ordinary final reply; it rejects with the
 * handler's error, which goes out as the final (error) reply.
 */
export class ReplyStream {
  constructor(readonly run: (sendNext: (value: unknown) => void) => Promise<unknown>) {}
}

/** The request's caller takes several replies (`warren-stream: accept`). */
export function acceptsStream(request: ConsumeMessage): boolean {
  return request.properties.headers?.[HEADERS.stream] === STREAM_ACCEPT;
}

/**
 * Runs a streamed answer: its earlier values are sent on `channel` as they come, while `live()`
 * holds (the request wants a reply and its delivery is still this consumer's; later values are
 * dropped). Resolves with the last value, for the final reply.
 */
export function streamAnswer(stream: ReplyStream, channel: Channel, request: ConsumeMessage, live: () => boolean, options: ReplyOptions): Promise<unknown> {
  return stream.run((value) => {
    if (live()) sendNextReply(channel, request, value, options);
  });
}
