import { DIRECT_REPLY_QUEUE } from '../warren.constants';

/** Whether an RPC handler may publish its reply to a request's `reply_to`. */
export type ReplyToPolicy = (replyTo: string) => boolean;

/** Server-named queues: RabbitMQ refuses clients' declarations of `amq.`-prefixed names. */
const SERVER_NAMED_PREFIX = 'amq.gen-';
const DIRECT_REPLY_PREFIX = `${DIRECT_REPLY_QUEUE}.`;

/**
 * A reply is published with this application's rights through the default exchange, so the
 * request's sender chooses the queue: by default only addresses no sender can point at someone
 * else's queue are answered — direct reply-to (the broker routes it to the requesting channel)
 * and server-named queues (random names, `amq.gen-…`). `allowed` adds names and RegExps for
 * clients that name their own reply queue.
 */
export function replyToPolicy(allowed: ReadonlyArray<string | RegExp> = []): ReplyToPolicy {
  const names = new Set(allowed.filter((entry): entry is string => typeof entry === 'string'));
  const patterns = allowed.filter((entry): entry is RegExp => entry instanceof RegExp);
  return (replyTo) =>
    replyTo.startsWith(DIRECT_REPLY_PREFIX) ||
    replyTo.startsWith(SERVER_NAMED_PREFIX) ||
    replyTo === DIRECT_REPLY_QUEUE ||
    names.has(replyTo) ||
    patterns.some((pattern) => pattern.test(replyTo));
}
