import { BaseRpcContext } from '@nestjs/microservices';
import type { ConsumeMessage } from 'amqplib';

/** What `@Ctx()` gives a handler served by `WarrenServer`: the AMQP message and the pattern. */
export class WarrenRpcContext extends BaseRpcContext<[ConsumeMessage, string]> {
  getMessage(): ConsumeMessage {
    return this.args[0];
  }

  getPattern(): string {
    return this.args[1];
  }

  getHeaders(): Record<string, unknown> {
    return this.args[0].properties.headers ?? {};
  }
}
