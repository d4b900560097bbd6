import { WarrenError } from './warren.error';

/** The broker could not be reached at start-up. The message names the URI without its password. */
export class BrokerConnectionError extends WarrenError {}

/** The connection (or channel) carrying a pending RPC request went away before the reply came. */
export class ConnectionLostError extends WarrenError {}

/** A call was made on a producer or RPC client that has already been shut down. */
export class WarrenClosedError extends WarrenError {}
