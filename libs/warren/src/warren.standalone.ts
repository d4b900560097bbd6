import { Logger } from '@nestjs/common';
import { BrokerConnection } from './connection/broker-connection';
import { WarrenStatus } from './health/warren-status';
import { WarrenConsumers } from './consumer/warren-consumers';
import type { WarrenModuleOptions } from './interfaces';
import { WarrenLogger } from './logging/warren-logger';
import { MessageProducer } from './producer/message-producer';
import { RpcClient } from './rpc/rpc-client';
import { resolveOptions } from './warren-options';
import type { WarrenExplorer } from './warren.explorer';
import { WarrenOrchestrator } from './warren.orchestrator';
import { WarrenAsyncApi } from './asyncapi/warren-asyncapi';
import type { BrokerConnector } from './connection/broker-link';

/** Warren outside a Nest module: what a custom transport strategy or a script needs. */
export interface Warren {
  producer: MessageProducer;
  rpc: RpcClient;
  /** Add handlers with `add` / `addMany`; pause and resume them. */
  consumers: WarrenConsumers;
  connection: BrokerConnection;
  /** Health (`check()`) and connection and consumer events (`on(event, listener)`). */
  status: WarrenStatus;
  /** The AsyncAPI document of what this Warren consumes and publishes (`asyncapi.document()`). */
  asyncapi: WarrenAsyncApi;
  /** Stops consumers, drains in-flight handlers and confirms (bounded), closes the connection. */
  close(): Promise<void>;
}

/** Nothing to discover: a standalone Warren consumes only for the handlers given to it. */
const NO_DISCOVERY = { explore: () => [] } as unknown as WarrenExplorer;

/**
 * Connects and returns Warren's producer, RPC client and consumers without a Nest module — for
 * `WarrenServer` / `WarrenClient` (Nest instantiates transport strategies outside DI) and scripts.
 * The same options, defaults and guarantees as `WarrenModule.forRoot`.
 */
export async function createWarren(options: WarrenModuleOptions = {}, connector?: BrokerConnector): Promise<Warren> {
  const resolved = resolveOptions(options);
  const logger = new WarrenLogger('Warren', resolved.logger === undefined ? new Logger() : resolved.logger);
  const connection = await BrokerConnection.connect(resolved, logger.child('Warren'), connector);
  const producer = new MessageProducer(connection, resolved, logger);
  const rpc = new RpcClient(connection, resolved, logger);
  const orchestrator = new WarrenOrchestrator(NO_DISCOVERY, connection, producer, rpc, resolved, logger);
  let closing: Promise<void> | undefined;
  const consumers = new WarrenConsumers(orchestrator);
  return {
    producer,
    rpc,
    consumers,
    connection,
    status: new WarrenStatus(connection, consumers),
    asyncapi: new WarrenAsyncApi(orchestrator, resolved),
    close: () => (closing ??= orchestrator.onApplicationShutdown()),
  };
}
