import type { GetMessage, Options } from 'amqplib';
import { checkHeaders } from '../outgoing/field-table';
import { HEADERS } from '../warren.constants';
import { printableReason, type BrokerSession } from './broker-session';
import { WarrenError } from '../errors/warren.error';

export interface Target {
  exchange: string;
  routingKey: string;
}

/** A copy that was not published: the broker refused or returned it, or it could not be encoded. */
export class CopyRefusedError extends WarrenError {
  readonly code = 'CLI_COPY_REFUSED';
}

/** Warren's record of the failure; a replay starts afresh. Routing headers stay (dispatch reads them). */
const FAILURE_HEADERS = new Set<string>([HEADERS.attempt, HEADERS.error, HEADERS.errorCode, HEADERS.firstFailedAt, HEADERS.deadLetteredAt, HEADERS.originalQueue, HEADERS.headersDropped]);
/** The broker's own dead-letter record. */
const BROKER_HEADERS = /^x-(death|first-death-|last-death-)/;
/** Sender-selected distribution: the broker would also route the copy by these routing keys. */
const DISTRIBUTION_HEADERS = /^b?cc$/i;

/**
 * The properties of a replayed copy: the original's, less what would make the broker refuse it or
 * route it further than its target. `userId` is the publisher's (the broker refuses a publish
 * whose user_id is not the connection's user), `expiration` would let the copy vanish, CC/BCC
 * would copy it into more queues through the same exchange with the operator's rights.
 * Through the default exchange (back to the source queue) the routing headers are kept, as a
 * retry keeps them: consumers dispatch on `warren-original-routing-key`; to the origin exchange
 * they go (the copy carries its own routing key).
 */
export function replayProperties(message: GetMessage, target: Target): Options.Publish {
  const { headers = {}, userId: _userId, expiration: _expiration, ...properties } = message.properties;
  const keepRouting = target.exchange === '';
  const kept: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(headers as Record<string, unknown>)) {
    if (FAILURE_HEADERS.has(name) || BROKER_HEADERS.test(name) || DISTRIBUTION_HEADERS.test(name)) continue;
    if (!keepRouting && (name === HEADERS.originalExchange || name === HEADERS.originalRoutingKey)) continue;
    kept[name] = value;
  }
  const defined = Object.fromEntries(Object.entries(properties).filter(([, value]) => value !== undefined));
  return { ...defined, headers: checkHeaders('headers', kept, 'copy') ?? {}, mandatory: true } as Options.Publish;
}

/**
 * Publishes one copy (mandatory, confirmed) and resolves once the broker has it; rejects with a
 * CopyRefusedError saying why not. A refusal closes the publishing channel; the next copy gets a
 * new one.
 */
export async function publishCopy(session: BrokerSession, target: Target, message: GetMessage): Promise<void> {
  let properties: Options.Publish;
  try {
    properties = replayProperties(message, target);
  } catch (error) {
    throw new CopyRefusedError(`its headers cannot be sent again: ${printableReason(error)}`);
  }
  const writer = await session.publisher();
  await new Promise<void>((resolve, reject) => {
    let returned = false;
    const onReturn = () => (returned = true);
    writer.channel.once('return', onReturn);
    try {
      writer.channel.publish(target.exchange, target.routingKey, message.content, properties, (error) => {
        writer.channel.off('return', onReturn);
        if (error) reject(new CopyRefusedError(writer.reason ?? printableReason(error)));
        else if (returned) reject(new CopyRefusedError('nothing is bound for it, the copy came back'));
        else resolve();
      });
    } catch (error) {
      // amqplib counted the publish before it failed to encode it: this channel's confirms are off by one now.
      writer.channel.off('return', onReturn);
      void session.discardPublisher();
      reject(new CopyRefusedError(printableReason(error)));
    }
  });
}
