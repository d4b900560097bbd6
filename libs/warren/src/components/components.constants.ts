/** Exchange component calls travel on (direct: routing key = component name). */
export const COMPONENTS_EXCHANGE = 'warren.components';
/** Fanout exchange of the registry: announcements, heartbeats, goodbyes and roll calls. */
export const REGISTRY_EXCHANGE = 'warren.components.registry';
/** The durable queue a component's replicas share. */
export const componentQueue = (component: string): string => `warren.component.${component}`;

export const COMPONENT_METADATA = 'warren:component';
export const COMPONENT_METHOD_METADATA = 'warren:component-method';

export const DEFAULT_HEARTBEAT_MS = 5_000;
export const DEFAULT_MISSED_HEARTBEATS = 3;

/** Error codes a caller can get besides what the method itself throws. */
export const COMPONENT_ERRORS = {
  unknownComponent: 'UNKNOWN_COMPONENT',
  unknownMethod: 'UNKNOWN_METHOD',
  validationFailed: 'VALIDATION_FAILED',
} as const;
