/** The broker closed a channel because of something sent on it. */
export interface BrokerRefusal {
  /** AMQP reply code, e.g. 406. */
  replyCode: number;
  /** The reply's name, e.g. `PRECONDITION_FAILED`. */
  code: string;
  /** The broker's reply text, e.g. `PRECONDITION_FAILED - invalid expiration`. */
  text: string;
  /** The exchange the reply names (`no exchange 'x'`, `access to exchange 'x' … refused`), if any. */
  exchange?: string;
  /** The refused method was `basic.publish`: a message caused it. */
  byPublish: boolean;
}

const BASIC_CLASS = 60;
const PUBLISH_METHOD = 40;

/**
 * Reads the error amqplib reports when the broker closes a channel (`Channel closed by server:
 * 406 (PRECONDITION-FAILED) with message "…"`, with `code`, `classId`, `methodId`). Undefined for
 * anything else (a lost connection, Warren's own close).
 */
export function brokerRefusal(error: (Error & { code?: unknown; classId?: unknown; methodId?: unknown }) | undefined): BrokerRefusal | undefined {
  if (!error || typeof error.code !== 'number') return undefined;
  const text = /with message "(.*)"$/s.exec(error.message)?.[1] ?? error.message;
  const code = /^([A-Z_]+) - /.exec(text)?.[1] ?? String(error.code);
  const exchange = /exchange '([^']*)'/.exec(text)?.[1];
  return { replyCode: error.code, code, text, exchange, byPublish: error.classId === BASIC_CLASS && error.methodId === PUBLISH_METHOD };
}
