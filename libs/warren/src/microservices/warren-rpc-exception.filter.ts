import { ArgumentsHost, Catch, RpcExceptionFilter } from '@nestjs/common';
import { BaseRpcExceptionFilter, RpcException } from '@nestjs/microservices';
import { Observable, throwError } from 'rxjs';
import { WarrenRpcContext } from './warren-rpc.context';

/** Options of `new WarrenRpcExceptionFilter(options)`. */
export interface WarrenRpcExceptionFilterOptions {
  /**
   * Whether a `@MessagePattern`'s caller learns the message and code of an error that is not an
   * `RpcException`. With false it gets Nest's default answer, `{ status: 'error', message:
   * 'Internal server error' }`, and the error is logged as Nest's default filter logs it. A failed
   * `@EventPattern` served by `WarrenServer` keeps its real reason (redacted) in its retries and
   * dead letter either way. @default true
   */
  exposeErrors?: boolean;
}

/**
 * Nest's default RPC exception filter turns every error that is not an `RpcException` into
 * `{ status: 'error', message: 'Internal server error' }` (on every transport) before the
 * transport sees it, so a dead-lettered event's `warren-error` header cannot say what happened.
 * With this filter (`@UseFilters(new WarrenRpcExceptionFilter())`, or `app.useGlobalFilters(...)`)
 * the error itself travels: into a failed event's retries and dead letter and, unless
 * `exposeErrors` is false, to a `@MessagePattern`'s caller as a `RemoteError` with its message and
 * `code`. Use `{ exposeErrors: false }` where error messages must not leave the service.
 */
@Catch()
export class WarrenRpcExceptionFilter implements RpcExceptionFilter<unknown> {
  private readonly nestDefault = new BaseRpcExceptionFilter();

  constructor(private readonly options: WarrenRpcExceptionFilterOptions = {}) {}

  catch(exception: unknown, host: ArgumentsHost): Observable<never> {
    if (exception instanceof RpcException) {
      const error = exception.getError();
      return throwError(() => (typeof error === 'object' && error !== null ? error : { status: 'error', message: String(error) }));
    }
    const context: unknown = host.getArgByIndex(1);
    const event = context instanceof WarrenRpcContext && context.isEvent();
    if (this.options.exposeErrors === false && !event) return this.nestDefault.catch(exception, host) as Observable<never>;
    return throwError(() => exception);
  }
}
