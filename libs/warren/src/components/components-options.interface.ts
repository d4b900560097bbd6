/** Options of `ComponentsModule.forRoot`. */
export interface ComponentsModuleOptions {
  /** How often each component instance says it is alive. @default 5000 */
  heartbeatMs?: number;
  /** Heartbeats an instance may miss before the registry marks it down. @default 3 */
  missedHeartbeats?: number;
  /**
   * The fanout exchange announcements, heartbeats, goodbyes and roll calls travel on. Hosts and
   * registries that should see each other use the same one; another name keeps a group apart.
   * @default 'warren.components.registry'
   */
  registryExchange?: string;
}

export interface ComponentMethodInfo {
  name: string;
  /** Argument names and types (a DTO's class name when the method takes one). */
  params: Array<{ name: string; type: string }>;
  /** JSON Schema of the arguments object a caller passes. */
  schema: Record<string, unknown>;
}

/** One running instance of a component, as it announced itself. */
export interface ComponentInstance {
  component: string;
  instanceId: string;
  host: string;
  pid: number;
  version: string;
  methods: ComponentMethodInfo[];
  /**
   * The broker user that announced it: the AMQP `user_id` the broker checked against the
   * sender's connection. Undefined for an unverified instance (only listed if allowed).
   */
  userId?: string;
  /** Epoch ms of its last announcement or heartbeat. */
  lastSeen: number;
}

/** A component in the registry's catalogue: its methods and live instances. */
export interface ComponentEntry {
  name: string;
  methods: ComponentMethodInfo[];
  instances: ComponentInstance[];
}

/** What travels on the registry exchange. */
export interface RegistryMessage {
  type: 'announce' | 'heartbeat' | 'goodbye' | 'query';
  instance?: Omit<ComponentInstance, 'lastSeen'>;
}

export const COMPONENTS_OPTIONS = Symbol('warren:components-options');
