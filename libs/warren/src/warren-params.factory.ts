import type { ParamData } from '@nestjs/common';
import type { ParamsFactory } from '@nestjs/core/helpers/external-context-creator';
import { WARREN_HEADER_PARAM, WARREN_ORIGIN_PARAM, WARREN_PAYLOAD_PARAM, WARREN_REQUEST_PARAM, WARREN_SIGNAL_PARAM } from './warren.constants';

/** Handlers are called as (payload, rawMessage, headers, signal, origin); this maps param decorators onto that. */
export class WarrenParamsFactory implements ParamsFactory {
  /** Nest's hook: the value of one decorated parameter, from the handler's arguments. */
  exchangeKeyForValue(type: number, data: ParamData, args: unknown[]): unknown {
    const index =
      type === WARREN_PAYLOAD_PARAM ? 0 : type === WARREN_REQUEST_PARAM ? 1 : type === WARREN_HEADER_PARAM ? 2 : type === WARREN_SIGNAL_PARAM ? 3 : type === WARREN_ORIGIN_PARAM ? 4 : -1;
    if (index < 0 || !args) return null;
    const value = args[index] as Record<string, unknown> | undefined;
    return typeof data === 'string' && value != null ? value[data] : value;
  }
}
