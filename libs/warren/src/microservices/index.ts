/**
 * A `@nestjs/microservices` transport: `WarrenServer` and `WarrenClient` (docs/microservices.md).
 *
 * @module nestjs-warren/microservices
 */
export { WarrenServer } from './warren-server';
export { WarrenClient } from './warren-client';
export { WarrenRpcContext } from './warren-rpc.context';
export { DEFAULT_TRANSPORT_EXCHANGE } from './warren-transport-options.interface';
export type { WarrenTransportOptions } from './warren-transport-options.interface';
export { WarrenRpcExceptionFilter } from './warren-rpc-exception.filter';
export type { WarrenRpcExceptionFilterOptions } from './warren-rpc-exception.filter';
export { HandlerFailedError } from './handler-failure';
