import type { Channel } from 'amqplib';
import type { BrokerConnection } from '../connection/broker-connection';
import type { ManagedChannel, ManagedChannelOptions } from '../connection/managed-channel';

export interface ConsumerChannelSpec extends Pick<ManagedChannelOptions, 'name' | 'confirm' | 'setup'> {
  /** A channel closed under its deliveries. */
  lost(channel: Channel): void;
  /** The error when the first setup did not finish within the timeout. */
  timedOut(): Error;
  /** The error for a failed setup. */
  failed(error: Error): Error;
  /** Called once, before rejecting: the consumer closes what it opened. */
  abandon(): void;
}

/**
 * Opens a consumer's channel (re-opened by itself after a reconnect); `ready` resolves once the
 * first setup (declare, bind, consume) finished, and rejects on its first failure or after `timeoutMs`.
 */
export function openConsumerChannel(connection: BrokerConnection, timeoutMs: number, spec: ConsumerChannelSpec): { managed: ManagedChannel; ready: Promise<void> } {
  let managed!: ManagedChannel;
  const ready = new Promise<void>((resolve, reject) => {
    let settled = false;
    const fail = (error: Error) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      spec.abandon();
      reject(error);
    };
    const timer = setTimeout(() => fail(spec.timedOut()), timeoutMs);
    managed = connection.openChannel(
      { name: spec.name, confirm: spec.confirm, setup: spec.setup },
      {
        opened: () => {
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          resolve();
        },
        lost: (channel) => spec.lost(channel),
        setupFailed: (error) => fail(spec.failed(error)),
      },
    );
  });
  return { managed, ready };
}
