import type { ConsumeMessage } from 'amqplib';
import { RateLimitedLog } from '../logging/rate-limited-log';
import { redactText } from '../logging/redact';
import type { WarrenLogger } from '../logging/warren-logger';
import { ReplyToPolicy, replyToPolicy } from '../rpc/reply-to-policy';
import { rpcExpired } from '../rpc/rpc-deadline';
import { recordReplyToRefused, recordRpcExpired } from '../tracing/warren-metrics';
import { MESSAGES } from '../warren.messages';

/**
 * Decides, before a handler runs, whether an RPC request is worth running: not when its reply
 * would go to a queue the policy refuses (a reply is published with this application's rights),
 * nor when its caller has given up. Either is counted, and logged at warn at most once per 10 s
 * per queue and reason (a sender chooses how many it sends). The caller acks what is refused.
 */
export class RpcAdmission {
  private readonly log: RateLimitedLog;

  constructor(
    private readonly queueName: () => string,
    private readonly replyToAllowed: ReplyToPolicy = replyToPolicy(),
    logger: WarrenLogger,
  ) {
    this.log = new RateLimitedLog((line) => logger.warn(line));
  }

  /** False when the request must be acked without running; `replyTo` is the request's, if any. */
  admits(message: ConsumeMessage, replyTo: string | undefined): boolean {
    const queue = this.queueName();
    if (replyTo && !this.replyToAllowed(replyTo)) {
      recordReplyToRefused(queue);
      this.log.report('reply-to', (count) => MESSAGES.replyToRefused(queue, redactText(replyTo), count));
      return false;
    }
    if (rpcExpired(message)) {
      recordRpcExpired(queue);
      this.log.report('expired', (count) => MESSAGES.rpcExpired(queue, count));
      return false;
    }
    return true;
  }
}
