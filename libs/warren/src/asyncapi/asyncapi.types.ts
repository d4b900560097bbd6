/** A JSON Schema (AsyncAPI Schema: JSON Schema draft-07 and `x-` extensions). */
export type JsonSchema = Record<string, unknown>;

/** A JSON reference inside the document. */
export interface Ref {
  $ref: string;
}

/** What `WarrenAsyncApi.document()` returns: an AsyncAPI 3.0.0 document, plain JSON. */
export interface AsyncApiDocument {
  asyncapi: '3.0.0';
  info: { title: string; version: string; description?: string };
  defaultContentType: string;
  servers: Record<string, AsyncApiServer>;
  channels: Record<string, AsyncApiChannel>;
  operations: Record<string, AsyncApiOperation>;
  components: { schemas: Record<string, JsonSchema>; messages: Record<string, AsyncApiMessage> };
}

/** A broker the document describes: host, port and virtual host only, never credentials. */
export interface AsyncApiServer {
  host: string;
  protocol: 'amqp' | 'amqps';
  protocolVersion: '0.9.1';
  pathname?: string;
  description?: string;
}

/** An exchange (with a routing key) or a queue, and the messages that travel on it. */
export interface AsyncApiChannel {
  /** Null for a name the broker or the caller picks (server-named queues, reply queues). */
  address: string | null;
  title?: string;
  description?: string;
  messages: Record<string, Ref>;
  bindings?: { amqp: Record<string, unknown> };
  [extension: `x-${string}`]: unknown;
}

/** A handler (`receive`) or something the application publishes or calls (`send`); RPC ones with their reply. */
export interface AsyncApiOperation {
  action: 'send' | 'receive';
  channel: Ref;
  title?: string;
  description?: string;
  messages: Ref[];
  bindings?: { amqp: Record<string, unknown> };
  reply?: { address: { location: string; description?: string }; channel: Ref; messages: Ref[] };
  [extension: `x-${string}`]: unknown;
}

/** A message: its payload schema, Warren's headers and, for RPC, where the correlation id is. */
export interface AsyncApiMessage {
  name: string;
  title?: string;
  description?: string;
  contentType?: string;
  payload: JsonSchema | Ref;
  headers?: JsonSchema | Ref;
  correlationId?: { location: string; description?: string };
}

/** AMQP bindings version the document uses. */
export const AMQP_BINDING_VERSION = '0.3.0';
