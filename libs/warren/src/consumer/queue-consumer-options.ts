import type { RetryOptions } from '../interfaces';
import type { MessageObservers } from '../observers/message-observers';
import type { ReplyToPolicy } from '../rpc/reply-to-policy';
import type { ResolvedWarrenOptions } from '../warren-options';
import type { ConsumerEvents } from './consumer-events';
import type { ConsumerPublisher } from './consumer-publisher';
import type { HandlerDefinition } from './handler-definition';
import type { HandlerFlow } from './handler-flow';
import type { QueueKind } from './queue-type';

/** What a consumer was built from, as the AsyncAPI document reads it (nothing here is re-derived). */
export interface ConsumerPlan {
  /** The configured name; undefined for a server-named queue. */
  queue?: string;
  kind: QueueKind;
  /** False in topology 'check' mode. */
  declare: boolean;
  retry: RetryOptions | false | undefined;
  handlers: readonly HandlerDefinition[];
}

export interface QueueConsumerOptions {
  queue?: string;
  prefetch: number;
  maxMessageBytes: number;
  /** Bytes of deliveries held before it stops taking more (see `consumer.maxInFlightBytes`). @default 64 MiB */
  maxInFlightBytes?: number;
  retry: RetryOptions | false | undefined;
  handling: ResolvedWarrenOptions['handling'];
  serializer?: ResolvedWarrenOptions['serializer'];
  /** False in topology 'check' mode: queues are only checked, nothing is declared or bound. */
  declare?: boolean;
  /** Classic or quorum (with its delivery limit); companions follow it. @default classic */
  kind?: QueueKind;
  observers?: MessageObservers;
  /** The reply queues RPC handlers answer (the module's `rpc.allowedReplyTo` on top of the safe ones). */
  replyToAllowed?: ReplyToPolicy;
  /** Publishes forwards and RPC replies on the publishing connection; without it, on the consumer's channel. */
  publisher?: ConsumerPublisher;
  /** Each handler's flow control options, resolved at registration (see handler-flow.ts). */
  flows?: ReadonlyMap<HandlerDefinition, HandlerFlow>;
  /** Consume with noAck (`ack: 'auto'`): nothing is acked, nothing can go back to the queue. */
  autoAck?: boolean;
  /** Told when the consumer is paused or resumed, and why. */
  events?: ConsumerEvents;
}
