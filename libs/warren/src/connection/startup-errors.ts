import type { AmqpConnectionManager } from 'amqp-connection-manager';
import { BrokerConnectionError } from '../errors/connection.error';
import { redactText } from '../logging/redact';
import { MESSAGES } from '../warren.messages';
import { nodeOf, socketError } from './connection-target';
import { uriUser } from './connection-user';

/** The broker's reply, read from an amqplib error: `403 (ACCESS-REFUSED) with message "ACCESS_REFUSED - …"`. */
export interface BrokerReply {
  replyCode: number;
  /** The reply's name, e.g. `ACCESS_REFUSED`, `COMMAND_INVALID`. */
  replyName: string;
  /** The broker's own text, e.g. `COMMAND_INVALID - invalid exchange type 'x-delayed-message'`. */
  replyText: string;
}

/** CONNECTION_FORCED: an operator or a stopping node closed the connection; trying again can help. */
const CONNECTION_FORCED = 320;

/** Reads the broker's reply code and text from an amqplib connection or channel error; undefined for a socket error. */
function brokerReply(error: Error | undefined): BrokerReply | undefined {
  const match = error && /(\d{3}) \(([A-Z-]+)\) with message "(.*)"/s.exec(error.message);
  if (!match) return undefined;
  return { replyCode: Number(match[1]), replyName: match[2].replace(/-/g, '_'), replyText: redactText(match[3]) };
}

/** amqplib's text when the broker answers connection.open (the vhost) with connection.close. */
const VHOST_REFUSED = /Expected ConnectionOpenOk; got <ConnectionClose/;

/** The vhost a URI names, as the broker reads it ('/' when it names none). */
function uriVhost(uri: string): string {
  try {
    const path = new URL(uri).pathname;
    return path.length > 1 ? decodeURIComponent(path.slice(1)) : '/';
  } catch {
    return '/';
  }
}

/**
 * Watches a connection while Warren starts: what the broker said when it refused the login, the
 * vhost, or something Warren declared (it closed the connection or the topology channel), so the
 * start-up error carries the broker's reason instead of a timeout. A refusal the broker will repeat
 * on every attempt (a login, a vhost, a declaration) fails start-up at once: `final` rejects.
 * Unreachable brokers are retried until `connection.connectTimeoutMs`.
 */
export class StartupWatch {
  /** Rejects with the start-up error as soon as the broker refuses something for good. */
  readonly final: Promise<never>;
  private reject!: (error: BrokerConnectionError) => void;
  private refusal?: BrokerConnectionError;
  private lastError?: Error;
  private lastUrl?: string;
  private attemptedUri?: string;

  constructor(
    private readonly manager: AmqpConnectionManager,
    private readonly printableUris: string,
    private readonly timeoutMs: number,
  ) {
    this.final = new Promise<never>((_resolve, reject) => (this.reject = reject));
    this.final.catch(() => undefined);
    manager.on('connectFailed', this.onConnectFailed);
    manager.on('disconnect', this.onDisconnect);
  }

  /** Setting up the topology channel failed (amqplib's error, carrying the broker's reply when it closed the channel). */
  readonly setupFailed = (error: Error): void => {
    this.note(error);
  };

  /** Stops watching (start-up is over, one way or the other). */
  stop(): void {
    this.manager.removeListener('connectFailed', this.onConnectFailed);
    this.manager.removeListener('disconnect', this.onDisconnect);
  }

  /** The start-up error: the broker's refusal if it refused, else the last error seen or `fallback` (nothing listens, the deadline passed). */
  error(fallback: Error): BrokerConnectionError {
    if (this.refusal) return this.refusal;
    const reason = this.lastError ?? fallback;
    const reply = brokerReply(this.lastError);
    return this.build(MESSAGES.connectFailed(this.printableUris, this.timeoutMs, redactText(reason.message)), reply);
  }

  private readonly onConnectFailed = ({ err, url }: { err: Error; url: unknown }): void => {
    this.lastUrl = nodeOf(url);
    this.attemptedUri = typeof url === 'string' ? url : typeof (url as { url?: unknown })?.url === 'string' ? (url as { url: string }).url : undefined;
    this.note(err);
  };

  private readonly onDisconnect = ({ err }: { err?: Error }): void => {
    if (err) this.note(err);
  };

  private note(error: Error): void {
    const reply = brokerReply(error);
    // Keep the broker's reason over what followed from it ("Channel ended, no reply will be forthcoming").
    if (reply || !brokerReply(this.lastError)) this.lastError = error;
    const node = this.lastUrl ?? this.printableUris;
    const user = this.attemptedUri === undefined ? undefined : uriUser(this.attemptedUri);
    if (VHOST_REFUSED.test(error.message)) {
      const vhost = uriVhost(this.attemptedUri ?? '');
      this.fail(this.build(MESSAGES.vhostRefused(node, vhost, user), undefined));
    } else if (reply?.replyName === 'ACCESS_REFUSED' && /^Handshake/.test(error.message)) {
      this.fail(this.build(MESSAGES.loginRefused(node, user, reply.replyText), reply));
    } else if (reply && reply.replyCode !== CONNECTION_FORCED) {
      this.fail(this.build(MESSAGES.setupRefused(node, reply.replyCode, reply.replyText), reply));
    }
  }

  private fail(error: BrokerConnectionError): void {
    this.refusal ??= error;
    this.reject(this.refusal);
  }

  private build(message: string, reply: BrokerReply | undefined): BrokerConnectionError {
    return new BrokerConnectionError(message, { err: this.lastError && socketError(this.lastError), url: this.lastUrl, ...reply });
  }
}
