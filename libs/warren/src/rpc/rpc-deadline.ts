import type { ConsumeMessage } from 'amqplib';
import { HEADERS } from '../warren.constants';

/**
 * Whether an RPC request's caller has already given up, judged without comparing clocks:
 * - `warren-timeout-ms` (Warren callers): the milliseconds the caller still waited when it sent
 *   the request; 0 or less means none. Time spent queued is the broker's `expiration` (the same
 *   budget), which RabbitMQ enforces on its own clock: a request that outlived it is never delivered.
 * - otherwise, with `expiration` (older Warren callers, golevelup): the broker has enforced it;
 *   the older callers' absolute `warren-deadline` beside it is ignored, as it is read on the
 *   caller's clock and dropped every request of a caller whose clock was behind.
 * - otherwise an absolute `warren-deadline` (epoch ms) alone, from a client that sends only that,
 *   is compared with this process's clock, as it always was.
 */
export function rpcExpired(message: ConsumeMessage, now = Date.now()): boolean {
  const headers = message.properties.headers;
  const budget = headers?.[HEADERS.timeoutMs];
  if (typeof budget === 'number' && !Number.isNaN(budget)) return budget <= 0;
  if (message.properties.expiration !== undefined && message.properties.expiration !== null) return false;
  const deadline = Number(headers?.[HEADERS.deadline]);
  return Number.isFinite(deadline) && deadline > 0 && deadline < now;
}
