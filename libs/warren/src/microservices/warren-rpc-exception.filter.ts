import { ArgumentsHost, Catch, RpcExceptionFilter } from '@nestjs/common';
import { RpcException } from '@nestjs/microservices';
import { Observable, throwError } from 'rxjs';

/**
 * Nest's default RPC exception filter turns every error that is not an `RpcException` into
 * `{ status: 'error', message: 'Internal server error' }` (on every transport), so the caller —
 * and a dead-lettered event's `warren-error` header — never learns what happened. With this filter
 * (`@UseFilters(new WarrenRpcExceptionFilter())`, or `app.useGlobalFilters(...)`) the error itself
 * travels: its message and `code` reach the caller as a `RemoteError`, and a failed event is parked
 * with its reason. Do not use it where error messages must not leave the service.
 */
@Catch()
export class WarrenRpcExceptionFilter implements RpcExceptionFilter<unknown> {
  catch(exception: unknown, _host: ArgumentsHost): Observable<never> {
    if (exception instanceof RpcException) {
      const error = exception.getError();
      return throwError(() => (typeof error === 'object' && error !== null ? error : { status: 'error', message: String(error) }));
    }
    return throwError(() => exception);
  }
}
