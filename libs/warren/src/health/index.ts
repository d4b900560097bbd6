export { WarrenHealthIndicator, WarrenHealthModule } from './warren-health.indicator';
export { WarrenStatus } from './warren-status';
export type { WarrenHealth } from './warren-status';
