export { WarrenFaults } from './warren-faults';
export type { WarrenFaultsOptions } from './warren-faults';
export { waitFor } from './wait-for';
