/**
 * A `@nestjs/terminus` health indicator over `WarrenStatus` (docs/operability.md).
 *
 * @module nestjs-warren/health
 */
export { WarrenHealthIndicator, WarrenHealthModule } from './warren-health.indicator';
export { WarrenStatus } from './warren-status';
export type { ConnectionHealth, WarrenHealth, GaveUpState } from './warren-status';
