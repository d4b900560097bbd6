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
export const DEFAULT_MAX_INSTANCES = 4_096;
export const DEFAULT_MAX_INSTANCES_PER_COMPONENT = 256;
export const DEFAULT_MAX_REGISTRY_MESSAGE_BYTES = 65_536;
export const DEFAULT_MAX_REGISTRY_BYTES = 32 * 1_048_576;
/** A roll call is answered at most once per this many ms (more queries share the next answer). */
export const ROLL_CALL_INTERVAL_MS = 1_000;
/** The same kind of registry warning is logged at most once per this many ms. */
export const REGISTRY_WARNING_INTERVAL_MS = 10_000;

/** Error codes a caller can get besides what the method itself throws. */
export const COMPONENT_ERRORS = {
  unknownComponent: 'UNKNOWN_COMPONENT',
  unknownMethod: 'UNKNOWN_METHOD',
  validationFailed: 'VALIDATION_FAILED',
} as const;
