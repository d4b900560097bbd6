export { WarrenFaults } from './warren-faults';
export type { WarrenFaultsOptions } from './warren-faults';
export { waitFor } from './wait-for';
export { WarrenTestingModule } from './warren-testing.module';
export type { WarrenTestingModuleOptions } from './warren-testing.module';
export { MemoryBroker } from './memory/memory-broker';
export { WarrenTestHarness } from './warren-test-harness';
export type { HandlerSpy, HarnessConsumed, MessageFilter, WaitOptions } from './warren-test-harness';
