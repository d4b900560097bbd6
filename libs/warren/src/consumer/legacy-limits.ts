import type { Channel, Options } from 'amqplib';
import type { WarrenLogger } from '../logging/warren-logger';
import { MESSAGES } from '../warren.messages';

/** Opens a channel of Warren's own on the consumer's connection, or undefined while disconnected. */
export type ChannelOpener = () => Promise<Channel> | undefined;

const NO_LIMIT = -1;

/**
 * On RabbitMQ 4.0+ Warren declares quorum queues that must never drop what they hold (dead-letter
 * and delay queues, queues with nowhere to park) with `x-delivery-limit: -1`. Earlier Warren
 * versions declared them without it, and the broker refuses to redeclare a queue with another
 * limit (PRECONDITION_FAILED, which would close the consumer's channel). So each such declaration
 * is first tried on a throwaway channel: a queue that exists without the limit is then declared as
 * it is — the start-up goes on — with a warning that it keeps the broker's default limit of 20.
 * The answer is remembered per queue (one throwaway channel per queue, not per reconnect).
 */
export class LegacyLimits {
  private readonly legacy = new Map<string, boolean>();

  constructor(
    private readonly open: ChannelOpener,
    private readonly broker: string,
    private readonly logger: WarrenLogger,
  ) {}

  /** The declaration to send for `queue`: `options` as given, or without the -1 limit for a legacy queue. */
  readonly fit = async (queue: string, options: Options.AssertQueue): Promise<Options.AssertQueue> => {
    const args = options.arguments ?? {};
    if (args['x-delivery-limit'] !== NO_LIMIT) return options;
    let legacy = this.legacy.get(queue);
    if (legacy === undefined) {
      legacy = await this.existsWithoutLimit(queue, options);
      this.legacy.set(queue, legacy);
      if (legacy) this.logger.warn(MESSAGES.limitKept(queue, this.broker));
    }
    if (!legacy) return options;
    const { 'x-delivery-limit': _limit, ...rest } = args;
    return { ...options, arguments: rest };
  };

  /** Whether the broker refuses `options` for `queue` because it exists without a delivery limit. */
  private async existsWithoutLimit(queue: string, options: Options.AssertQueue): Promise<boolean> {
    const channel = await this.open();
    if (!channel) return false; // disconnected: the real declaration fails and is retried with the channel
    channel.on('error', () => undefined); // a refusal closes this channel only
    try {
      await channel.assertQueue(queue, options);
      return false;
    } catch (error) {
      return /inequivalent arg 'x-delivery-limit'.*current is none/s.test(String((error as Error).message));
    } finally {
      await channel.close().catch(() => undefined);
    }
  }
}
