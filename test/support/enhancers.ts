import { CallHandler, CanActivate, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import { map } from 'rxjs';
import { isRabbitContext } from 'nestjs-warren';

/** Lets a message through only when it comes over RabbitMQ with the header `tenant: acme`. */
@Injectable()
export class TenantGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    const headers = context.getArgByIndex<Record<string, unknown>>(2);
    return isRabbitContext(context) && headers?.tenant === 'acme';
  }
}

/** Wraps a handler's result as `{ wrapped: result }`. */
@Injectable()
export class WrapInterceptor implements NestInterceptor {
  intercept(_context: ExecutionContext, next: CallHandler) {
    return next.handle().pipe(map((value) => ({ wrapped: value })));
  }
}
