export type { WarrenTopology, TopologyQueue, TopologyBinding, WarrenPublication } from './topology.interface';
export { TOPOLOGY_FILE_ENV } from './topology.interface';
