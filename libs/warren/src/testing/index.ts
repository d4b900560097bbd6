/**
 * The in-memory broker, the test harness and the fault kit (docs/testing.md).
 *
 * @module nestjs-warren/testing
 */
export { WarrenFaults } from './warren-faults';
export type { WarrenFaultsOptions } from './warren-faults';
export { resolveBrokerTarget } from './broker-target';
export type { BrokerTarget, BrokerTargetOptions } from './broker-target';
export { WrongBrokerError } from '../errors/wrong-broker.error';
export { waitFor } from './wait-for';
export { WarrenTestingModule } from './warren-testing.module';
export type { WarrenTestingModuleOptions } from './warren-testing.module';
export { MemoryBroker } from './memory/memory-broker';
export { WarrenTestHarness } from './warren-test-harness';
export type { HandlerSpy, HarnessConsumed, MessageFilter, WaitOptions } from './warren-test-harness';
