import { BaseRpcContext } from '@nestjs/microservices';
import type { ConsumeMessage } from 'amqplib';

/**
 * What `@Ctx()` gives a handler served by `WarrenServer`: the AMQP message and the routing key it
 * was sent with. Warren settles every message itself, so there is no channel to ack on.
 */
export class WarrenRpcContext extends BaseRpcContext<[ConsumeMessage, string]> {
  constructor(
    args: [ConsumeMessage, string],
    private readonly kind: 'message' | 'event' = 'message',
  ) {
    super(args);
  }

  getMessage(): ConsumeMessage {
    return this.args[0];
  }

  /**
   * The routing key the message was sent with (`client.send('orders.paid', …)`), also for a
   * wildcard handler (`@MessagePattern('orders.*')`) and on a retried event — what Nest's
   * `RmqContext.getPattern()` gives. An object pattern reads as its JSON (`{"cmd":"sum"}`).
   */
  getPattern(): string {
    return this.args[1];
  }

  getHeaders(): Record<string, unknown> {
    return this.args[0].properties.headers ?? {};
  }

  /** True in an `@EventPattern` handler, false in a `@MessagePattern` one. */
  isEvent(): boolean {
    return this.kind === 'event';
  }
}
