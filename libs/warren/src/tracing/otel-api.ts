import type * as OpenTelemetryApi from '@opentelemetry/api';
import { optionalPeer } from '../peers/optional-peer';

export type OtelApi = typeof OpenTelemetryApi;

/**
 * `@opentelemetry/api`, an optional peer: the application's own copy when it has one, so Warren's
 * spans and metrics reach the SDK the application registered with it. Without the package no SDK
 * can be registered at all, so Warren's telemetry is simply off (undefined here).
 */
export function otelApi(): OtelApi | undefined {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return optionalPeer('@opentelemetry/api', () => require('@opentelemetry/api') as OtelApi);
}
