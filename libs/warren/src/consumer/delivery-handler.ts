import type { Channel, ConsumeMessage } from 'amqplib';
import { MessageTooLargeError } from '../errors/message-too-large.error';
import type { WarrenLogger } from '../logging/warren-logger';
import { HeaderTemplates } from '../outgoing/header-templates';
import { ReplyStream, streamAnswer } from '../rpc/reply-stream';
import { sendErrorReply, sendReply } from '../rpc/rpc-reply';
import { markFailed } from '../tracing/warren-tracing';
import { MESSAGES } from '../warren.messages';
import type { ResolvedWarrenOptions } from '../warren-options';
import type { BatchRunner } from './batch-runner';
import type { ConsumerPublisher } from './consumer-publisher';
import type { Delivery, DeliverySettlement } from './delivery-settlement';
import { FlowControl, RETURNED } from './flow-control';
import type { HandlerDefinition } from './handler-definition';
import type { MessageDispatcher } from './message-dispatcher';
import { errorMessage } from './redelivery';
import type { RpcAdmission } from './rpc-admission';
import { isNack, nackSettlement, userFailureSettlement } from './user-settlement';
import { ReturnedNack } from './nack';

/** What handling a delivery needs of its queue's consumer. */
export interface DeliveryHandlerHost {
  queueName(): string;
  dispatcher: MessageDispatcher;
  settlement: DeliverySettlement;
  batches: BatchRunner;
  admission: RpcAdmission;
  flow: FlowControl;
  logger: WarrenLogger;
  maxMessageBytes: number;
  handling: ResolvedWarrenOptions['handling'];
  serializer?: ResolvedWarrenOptions['serializer'];
  publisher?: ConsumerPublisher;
  /** Only a queue with RPC handlers answers a request no handler matched (with NO_HANDLER). */
  servesRpc: boolean;
}

/**
 * One delivery, from routing to settlement: RPC admission, the handler's accepted content types,
 * its flow control (concurrency slot, circuit breaker, deadline), the call, then the reply and the
 * ack, or on failure the user's settlement, the caller's error reply, or Warren's retry and park.
 */
export class DeliveryHandler {
  private readonly headerTemplates = new HeaderTemplates();

  constructor(private readonly host: DeliveryHandlerHost) {}

  async handle(delivery: Delivery): Promise<void> {
    const { dispatcher, settlement, flow, maxMessageBytes } = this.host;
    const { message, channel } = delivery;
    const handler = dispatcher.route(delivery.origin.routingKey);
    delivery.handler = handler?.name;
    if (handler?.wantsSignal || flow.hasDeadline(handler)) delivery.abort = new AbortController();
    const replyTo = message.properties.replyTo as string | undefined;
    const isRpc = handler ? handler.options.type === 'rpc' : this.host.servesRpc && Boolean(replyTo);
    if (isRpc && !this.host.admission.admits(message, replyTo)) return settlement.settle(delivery, 'ack');
    // Replies (a stream's values too, so their order holds) go on the publishing connection: an alarm
    // that blocks them never blocks this channel's acks.
    const replyChannel = (): Channel => this.host.publisher?.replyChannel(channel) ?? channel;
    const tooLarge = message.content.length > maxMessageBytes;
    if (handler?.options.batchOptions && !isRpc && !tooLarge && flow.accepts(handler, message)) return this.host.batches.add(handler, delivery);
    try {
      if (tooLarge) throw new MessageTooLargeError(message.content.length, maxMessageBytes);
      if (handler) flow.checkAccepted(handler, message);
      // A streamed answer (WarrenServer, for a caller that takes one): its earlier values go out as they come.
      const answered = () => isRpc && Boolean(replyTo) && settlement.owns(delivery) && !delivery.expired;
      const result = await flow.run(delivery, handler, () => settlement.owns(delivery), async () => {
        const answer = await dispatcher.dispatch(handler, message, delivery.abort?.signal, delivery.origin);
        if (!(answer instanceof ReplyStream)) return answer;
        return streamAnswer(answer, replyChannel(), message, answered, { serializer: this.host.serializer, persistent: handler?.options.usePersistentReplyTo, format: this.host.handling.format });
      });
      if (result === RETURNED) return settlement.settle(delivery, 'return');
      if (isNack(result)) return await settlement.settleAsAsked(delivery, handler, nackSettlement(result), new ReturnedNack());
      if (!isRpc && result !== undefined && handler) this.host.logger.warn(MESSAGES.subscriberReturnedValue(handler.name));
      if (isRpc && replyTo && settlement.owns(delivery)) this.reply(handler, message, result, replyChannel());
      settlement.settle(delivery, 'ack');
    } catch (error) {
      await this.failed(delivery, handler, isRpc, replyTo, replyChannel, error);
      // Settled at its deadline: the drain must not return it, and its handler's late outcome is ignored.
      if (delivery.expired) delivery.abandoned = true;
    }
  }

  private reply(handler: HandlerDefinition | undefined, message: ConsumeMessage, result: unknown, channel: Channel): void {
    const persistent = handler?.options.usePersistentReplyTo ?? false;
    const notEncodable = sendReply(channel, message, result, { serializer: this.host.serializer, persistent, headerTemplates: this.headerTemplates, format: this.host.handling.format });
    if (notEncodable) this.host.logger.warn(MESSAGES.replyNotEncodable(handler?.name ?? this.host.queueName(), notEncodable.message));
  }

  private async failed(delivery: Delivery, handler: HandlerDefinition | undefined, isRpc: boolean, replyTo: string | undefined, replyChannel: () => Channel, error: unknown): Promise<void> {
    const { settlement, logger } = this.host;
    const { message } = delivery;
    delivery.error = error;
    markFailed(error, message);
    const name = handler?.name ?? `queue '${this.host.queueName()}'`;
    const asked = userFailureSettlement(handler?.options, this.host.handling);
    if (asked) {
      logger.warn(MESSAGES.handlerFailedUserSettles(name, errorMessage(error)));
      await settlement.settleAsAsked(delivery, handler, asked, error);
    } else if (isRpc && replyTo) {
      // RPC handlers are not retried: the caller gets the error at once.
      logger.warn(MESSAGES.rpcFailed(name, errorMessage(error)));
      if (settlement.owns(delivery)) settlement.safely(() => sendErrorReply(replyChannel(), message, error, this.host.handling.format));
      settlement.settle(delivery, 'ack');
    } else {
      await settlement.onFailure(delivery, handler, name, error);
    }
  }
}
