import { Controller, Get, Header, INestApplication } from '@nestjs/common';
import type { AsyncApiDocument } from './asyncapi.types';
import type { DocumentInfo } from './build-document';
import { WarrenAsyncApi } from './warren-asyncapi';

/** Default path of the document over HTTP. */
export const ASYNCAPI_PATH = '/asyncapi.json';

/**
 * `GET /asyncapi.json`: the application's AsyncAPI document. Add it to a module's `controllers`
 * (the app needs an HTTP adapter, e.g. @nestjs/platform-express). Use `serveAsyncApi` for another
 * path or title.
 */
@Controller()
export class WarrenAsyncApiController {
  constructor(private readonly asyncApi: WarrenAsyncApi) {}

  /** `GET /asyncapi.json`: this application's AsyncAPI document, built at each request. */
  @Get(ASYNCAPI_PATH.slice(1))
  @Header('Cache-Control', 'no-store')
  document(): AsyncApiDocument {
    return this.asyncApi.document();
  }
}

/**
 * Registers `GET <path>` on the app's HTTP adapter (Express or Fastify), answering the document as
 * JSON; call it before `app.listen()`. Nothing is mounted unless the app calls this (or adds the controller).
 */
export function serveAsyncApi(app: INestApplication, options: DocumentInfo & { path?: string } = {}): void {
  const { path = ASYNCAPI_PATH, ...info } = options;
  const adapter = app.getHttpAdapter();
  const asyncApi = app.get(WarrenAsyncApi, { strict: false });
  adapter.get(path, (_request: unknown, response: unknown) => {
    adapter.setHeader(response, 'Cache-Control', 'no-store');
    adapter.reply(response, asyncApi.document(info), 200);
  });
}
