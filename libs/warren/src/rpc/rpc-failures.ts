import type { BrokerRefusal } from '../connection/broker-refusal';
import { ConnectionLostError } from '../errors/connection.error';
import { describeTarget } from '../errors/describe-target';
import { PublishError } from '../errors/publish.error';

/** The request a failure is about. */
interface Target {
  exchange: string;
  routingKey: string;
}

/** The broker closed the channel over this request (a missing exchange, a refused property…). */
export function refusedError(request: Target, refusal: BrokerRefusal): PublishError {
  const message =
    refusal.replyCode === 404 && refusal.exchange !== undefined
      ? `Exchange '${refusal.exchange}' does not exist; nothing can answer this request`
      : `RabbitMQ refused RPC ${describeTarget(request.exchange, request.routingKey)}: ${refusal.text}`;
  return new PublishError(message, request.exchange, request.routingKey, { code: refusal.code, replyCode: refusal.replyCode, reason: refusal.text });
}

/** The channel carrying the request closed before its reply came. */
export function lostError(request: Target, error: Error | undefined): ConnectionLostError {
  return new ConnectionLostError(
    `The channel carrying RPC ${describeTarget(request.exchange, request.routingKey)} closed before the reply arrived` +
      (error ? ` (${error.message})` : ''),
  );
}
