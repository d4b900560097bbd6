import type { ExternalContextCreator } from '@nestjs/core/helpers/external-context-creator';

/** What Nest's ExternalExceptionsHandler offers: the app's exception filters, then its own fallback (which logs). */
interface ExceptionsHandler {
  next(exception: unknown, host: unknown): unknown;
  invokeCustomFilters?(exception: unknown, host: unknown): unknown;
}

interface ErrorProxy {
  createProxy(target: (...args: unknown[]) => Promise<unknown>, handler: ExceptionsHandler, type?: string): (...args: unknown[]) => Promise<unknown>;
}

/**
 * Runs `create` (ExternalContextCreator.create for a Warren handler) so that an exception the app's
 * filters do not handle is rethrown to Warren without Nest's fallback filter logging it
 * ("ERROR [ExceptionsHandler]" with the stack, on every attempt): Warren logs each failed delivery
 * once, with what happens next, and the stack at the last attempt. The app's exception filters
 * (global, @UseFilters) still run first, as before; one that returns a value settles the call as before.
 * If Nest's internals are not as expected, Nest's own handling is left as it is.
 */
export function withoutNestExceptionLog<T>(contextCreator: ExternalContextCreator, create: () => T): T {
  const creator = contextCreator as unknown as { externalErrorProxy?: ErrorProxy };
  const original = creator.externalErrorProxy;
  if (typeof original?.createProxy !== 'function') return create();
  creator.externalErrorProxy = {
    createProxy: (target, handler, type) => original.createProxy(target, quiet(handler), type),
  };
  try {
    return create();
  } finally {
    creator.externalErrorProxy = original;
  }
}

function quiet(handler: ExceptionsHandler): ExceptionsHandler {
  const invokeCustomFilters = handler.invokeCustomFilters;
  if (typeof invokeCustomFilters !== 'function') return handler;
  return {
    next(exception, host) {
      const result = invokeCustomFilters.call(handler, exception, host);
      if (result) return result;
      throw exception;
    },
  };
}
