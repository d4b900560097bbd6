import type { ConfirmChannel, Message, Options } from 'amqplib';

export type ForwardOutcome = 'forwarded' | 'returned' | 'failed';

interface PendingForward {
  queue: string;
  messageId?: string;
  returned: boolean;
}

/**
 * Publishes the copy of a failed delivery (a retry or a dead letter) on the delivery's own
 * confirm channel, mandatory, and says how it went: the original may be acked only when the
 * copy was confirmed *and* not returned (a deleted delay or dead-letter queue returns it).
 */
export class DeliveryForwarder {
  private readonly pending = new Set<PendingForward>();

  /** Call once per new channel, before consuming. */
  attach(channel: ConfirmChannel): void {
    channel.on('return', (message: Message) => {
      for (const forward of this.pending) {
        if (!forward.returned && forward.queue === message.fields.routingKey && forward.messageId === message.properties.messageId) {
          forward.returned = true;
          return;
        }
      }
    });
  }

  /** `content`: the body the copy carries (the original's, or none for a header-only record). */
  forward(channel: ConfirmChannel, content: Buffer, queue: string, properties: Options.Publish): Promise<ForwardOutcome> {
    const forward: PendingForward = { queue, messageId: properties.messageId, returned: false };
    this.pending.add(forward);
    return new Promise<ForwardOutcome>((resolve) => {
      try {
        channel.publish('', queue, content, { ...properties, mandatory: true }, (error) => {
          this.pending.delete(forward);
          resolve(error ? 'failed' : forward.returned ? 'returned' : 'forwarded');
        });
      } catch (error) {
        this.pending.delete(forward);
        // The channel closed: the original is redelivered. Anything else is an encoding failure
        // after amqplib queued a confirm callback: the channel's confirms can no longer be trusted.
        if ((error as Error).name !== 'IllegalOperationError') channel.close().catch(() => undefined);
        resolve('failed');
      }
    });
  }
}
