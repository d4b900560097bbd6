import { WarrenError } from './warren.error';

/** A socket or handshake error as `BrokerConnectionError.err` carries it: its text already redacted. */
export type BrokerSocketError = Error & { code?: string | number; errno?: number; syscall?: string; address?: string; port?: number };

/**
 * The broker could not be reached at start-up, or it refused the connection for good (the login,
 * the vhost, or a declaration: then `replyCode` / `replyName` / `replyText` say what it answered). The message names the URI without its password.
 * `err` and `url` have the shape Nest's RMQ client gives a failed connect (`{ err, url }`), so code
 * written for it (`(error.err ?? error).code === 'ECONNREFUSED'`) reads this error the same way.
 */
export class BrokerConnectionError extends WarrenError {
  readonly code = 'BROKER_UNREACHABLE';
  /** The last socket or handshake error (`code` e.g. `ECONNREFUSED`, `ENOTFOUND`, `ETIMEDOUT`), if one was seen. */
  readonly err?: BrokerSocketError;
  /** The URI of the last attempt, its password replaced by `***`. */
  readonly url?: string;
  /** When the broker refused (the login, the vhost, a declaration): its AMQP reply code, e.g. 403, 503. */
  readonly replyCode?: number;
  /** The broker's reply name, e.g. `ACCESS_REFUSED`, `COMMAND_INVALID`, `PRECONDITION_FAILED`. */
  readonly replyName?: string;
  /** The broker's own reply text, e.g. `COMMAND_INVALID - invalid exchange type 'x-delayed-message'`. */
  readonly replyText?: string;

  constructor(message: string, cause: { err?: BrokerSocketError; url?: string; replyCode?: number; replyName?: string; replyText?: string } = {}) {
    super(message);
    this.err = cause.err;
    this.url = cause.url;
    if (cause.replyCode !== undefined) {
      this.replyCode = cause.replyCode;
      this.replyName = cause.replyName;
      this.replyText = cause.replyText;
    }
  }
}

/** The connection (or channel) carrying a pending RPC request went away before the reply came. */
export class ConnectionLostError extends WarrenError {
  readonly code = 'CONNECTION_LOST';
}

/** A call was made on a producer or RPC client that has already been shut down. */
export class WarrenClosedError extends WarrenError {
  readonly code = 'WARREN_CLOSED';
}

/**
 * The connection's topology channel (`BrokerConnection.topologyChannel`, golevelup's
 * `AmqpConnection.channel`) is not open right now: disconnected, or being re-opened after the
 * broker closed it over a refused operation. Try again shortly.
 */
export class ChannelNotAvailableError extends WarrenError {
  readonly code = 'CHANNEL_NOT_AVAILABLE';
  constructor(message = 'channel is not available') {
    super(message);
  }
}

/** There is no connection to the broker right now (golevelup's `AmqpConnection.connection`). */
export class ConnectionNotAvailableError extends WarrenError {
  readonly code = 'CONNECTION_NOT_AVAILABLE';
  constructor(message = 'connection is not available') {
    super(message);
  }
}
