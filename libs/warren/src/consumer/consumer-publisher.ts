import type { Channel, ConfirmChannel, Options } from 'amqplib';
import type { BrokerConnection } from '../connection/broker-connection';
import type { ManagedChannel } from '../connection/managed-channel';
import { DeliveryForwarder, ForwardOutcome } from './delivery-forwarder';

/** How a consumer publishes the copy of a failed delivery; `channel` is the delivery's own, `content` the copy's body. */
export interface Forwarding {
  forward(channel: ConfirmChannel, content: Buffer, queue: string, properties: Options.Publish): Promise<ForwardOutcome>;
}

/**
 * Where consumers publish: retry copies and dead letters on a confirm channel of the publishing
 * connection, RPC replies on a plain channel of it. RabbitMQ stops reading from a connection that
 * publishes during a memory or disk alarm — acks included — so consumer channels publish nothing:
 * a failed delivery is acked on its own channel once its copy is confirmed here, and an RPC request
 * once its reply is handed over (during an alarm the reply waits, the queue keeps moving).
 * While these channels are down (the publishing connection reconnects), consumers publish on their
 * own channel as before.
 */
export class ConsumerPublisher {
  private forwards?: ManagedChannel;
  private replies?: ManagedChannel;
  private readonly forwarder = new DeliveryForwarder();
  private opening?: Promise<void>;

  constructor(private readonly connection: BrokerConnection) {}

  /** Opens both channels (once); resolves when they are open, or after `timeoutMs` (consumers fall back meanwhile). */
  open(timeoutMs: number): Promise<void> {
    this.opening ??= new Promise<void>((resolve) => {
      let open = 0;
      const timer = setTimeout(resolve, timeoutMs);
      const opened = () => {
        if (++open !== 2) return;
        clearTimeout(timer);
        resolve();
      };
      const publishing = this.connection.publishing;
      this.forwards = publishing.openChannel(
        // 'return' listeners: a copy for a deleted queue comes back, and its original must not be acked.
        { name: 'forwards', confirm: true, setup: async (channel) => this.forwarder.attach(channel as ConfirmChannel) },
        { opened },
      );
      this.replies = publishing.openChannel({ name: 'replies', confirm: false }, { opened });
    });
    return this.opening;
  }

  /** A consumer's forwarding: on the publishing connection, or through `fallback` on the delivery's channel while it is down. */
  forwarding(fallback: DeliveryForwarder): Forwarding {
    return {
      forward: (channel, content, queue, properties) => {
        const own = this.forwards?.channel as ConfirmChannel | undefined;
        return own ? this.forwarder.forward(own, content, queue, properties) : fallback.forward(channel, content, queue, properties);
      },
    };
  }

  /** The channel for an RPC reply to a request that came on `fallback`. */
  replyChannel(fallback: Channel): Channel {
    return this.replies?.channel ?? fallback;
  }

  async close(): Promise<void> {
    await Promise.all([this.forwards?.close(), this.replies?.close()]);
  }
}
