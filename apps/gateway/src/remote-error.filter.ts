import { ArgumentsHost, Catch, ExceptionFilter, HttpStatus } from '@nestjs/common';
import type { Response } from 'express';
import { RemoteError, RpcTimeoutError, UnroutableMessageError, WarrenError } from 'nestjs-warren';

/**
 * Turns what a remote service said into HTTP: its validation failures are the client's fault
 * (400), its other errors a bad gateway (502), silence a gateway timeout (504).
 */
@Catch(WarrenError)
export class RemoteErrorFilter implements ExceptionFilter {
  catch(error: WarrenError, host: ArgumentsHost) {
    const response = host.switchToHttp().getResponse<Response>();
    if (error instanceof RemoteError) {
      const status = error.code === 'VALIDATION_FAILED' ? HttpStatus.BAD_REQUEST : HttpStatus.BAD_GATEWAY;
      response.status(status).json({ code: error.code, message: error.message, details: error.details });
    } else if (error instanceof RpcTimeoutError) {
      response.status(HttpStatus.GATEWAY_TIMEOUT).json({ code: 'TIMEOUT', message: error.message });
    } else if (error instanceof UnroutableMessageError) {
      response.status(HttpStatus.SERVICE_UNAVAILABLE).json({ code: 'NO_CONSUMER', message: error.message });
    } else {
      response.status(HttpStatus.SERVICE_UNAVAILABLE).json({ code: error.name, message: error.message });
    }
  }
}
