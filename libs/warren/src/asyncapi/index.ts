/**
 * The AsyncAPI 3.0.0 document of a running application, and a diff for CI (docs/operability.md).
 *
 * @module nestjs-warren/asyncapi
 */
// nestjs-warren/asyncapi: the AsyncAPI 3.0.0 document of a running Warren application.
export { WarrenAsyncApi, getAsyncApiToken } from './warren-asyncapi';
export { WarrenAsyncApiController, serveAsyncApi, ASYNCAPI_PATH } from './asyncapi.controller';
export type { DocumentInfo } from './build-document';
export type { AsyncApiDocument, AsyncApiChannel, AsyncApiOperation, AsyncApiMessage, AsyncApiServer, JsonSchema } from './asyncapi.types';
export { isStandardSchema, standardJsonSchema } from './standard-schema';
export type { StandardSchemaLike } from './standard-schema';
export { diffAsyncApi } from './asyncapi-diff';
export type { AsyncApiChange, AsyncApiDiff } from './asyncapi-diff';
