import { MESSAGES } from '../warren.messages';
import type { BrokerSession } from './broker-session';
import { readParked } from './dead-letters';
import { CopyRefusedError, publishCopy } from './replay-copy';
import { ReplayRules, TargetTally, decide, describeTarget } from './replay-plan';
import { printable } from './terminal-text';

interface Skipped {
  /** Did not match the filter. */
  unmatched: number;
  /** Named a queue that is not one of the DLQ's sources. */
  foreign: number;
}

export interface ReplayPlan extends Skipped {
  targets: TargetTally;
  copies: number;
}

/** Reads (and puts back) the messages a replay would take, tallying where each would go. Publishes nothing. */
export async function planReplay(session: BrokerSession, dlq: string, rules: ReplayRules, limit?: number): Promise<ReplayPlan> {
  const total = await session.count(dlq);
  const plan: ReplayPlan = { targets: new TargetTally(), copies: 0, unmatched: 0, foreign: 0 };
  const wanted = Math.min(limit ?? total, total);
  if (wanted === 0) return plan;
  for await (const { message } of readParked(session, dlq, total)) {
    const decision = decide(message, rules);
    if (decision.kind === 'copy') {
      plan.targets.add(decision.target);
      if (++plan.copies >= wanted) break;
    } else plan[decision.kind]++;
  }
  return plan;
}

export interface MoveOptions extends ReplayRules {
  limit?: number;
  /** Publish only to these targets (the ones listed before the run); others stay parked. */
  only?: TargetTally;
  /** Go on past a refused copy (reported through `onFailure`) instead of stopping. */
  skipFailed?: boolean;
  onProgress?(done: number, total: number): void;
  onFailure?(line: string): void;
}

export interface MoveResult extends Skipped {
  moved: number;
  failed: number;
  /** Arrived after the targets were listed, with a target not among them. */
  unlisted: number;
  /** The refusal that ended the run (without skipFailed). */
  stoppedBy?: string;
}

/**
 * Moves parked messages one at a time: each copy is published (mandatory, confirmed) before its
 * original is acked, so an interruption at any point loses nothing (at worst one message exists
 * twice). Whatever is not moved — filtered out, foreign, refused — goes back when the run ends.
 */
export async function moveMessages(session: BrokerSession, dlq: string, options: MoveOptions): Promise<MoveResult> {
  const total = await session.count(dlq);
  const limit = Math.min(options.limit ?? total, total);
  const result: MoveResult = { moved: 0, failed: 0, unlisted: 0, unmatched: 0, foreign: 0 };
  if (limit === 0) return result;
  for await (const { message, ack } of readParked(session, dlq, total)) {
    const decision = decide(message, options);
    if (decision.kind !== 'copy') {
      result[decision.kind]++;
      continue;
    }
    if (options.only && !options.only.has(decision.target)) {
      result.unlisted++;
      continue;
    }
    try {
      await publishCopy(session, decision.target, message);
    } catch (error) {
      if (!(error instanceof CopyRefusedError)) throw error;
      result.failed++;
      const id = printable(String(message.properties.messageId ?? '(no id)'));
      const line = MESSAGES.cliCopyFailed(id, describeTarget(decision.target), error.message, options.skipFailed === true);
      if (!options.skipFailed) {
        result.stoppedBy = line;
        break;
      }
      options.onFailure?.(line);
      continue;
    }
    ack();
    result.moved++;
    options.onProgress?.(result.moved, limit);
    if (result.moved >= limit) break;
  }
  return result;
}
