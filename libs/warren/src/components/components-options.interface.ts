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
  /**
   * The AMQP `user_id` this app's announcements carry. The broker refuses a message whose
   * `user_id` is not the user its connection authenticated as, so a registry can tell which
   * broker user announced an instance. Set it when the URI does not name that user (EXTERNAL or
   * OAuth 2 authentication); `false` sends none (registries then see the instances unverified).
   * If the broker refuses it, the app warns once and announces without one.
   * @default the user of the connection's URI, as amqplib reads it ('guest' when it names none)
   */
  userId?: string | false;
  /** How much the registry accepts from the registry exchange. */
  registry?: ComponentRegistryOptions;
}

/**
 * Limits of the registry's catalogue. Anyone who may publish to the registry exchange can
 * announce instances: these bound what they can make it hold, and whom it believes.
 */
export interface ComponentRegistryOptions {
  /** Live instances held in total; past it, new instances are refused (with a rate-limited warning). @default 4096 */
  maxInstances?: number;
  /** Live instances held per component name. @default 256 */
  maxInstancesPerComponent?: number;
  /** A registry message larger than this (its body, in bytes) is dropped. @default 65536 */
  maxMessageBytes?: number;
  /**
   * The announcements held, by the size of their bodies, in total: bounds the catalogue's memory
   * (about twice this on the heap) however large the announcements. @default 33554432 (32 MiB)
   */
  maxTotalBytes?: number;
  /**
   * List instances announced without a `user_id` (by an older Warren, or `userId: false`). They
   * are bound to no user: anyone who may publish to the exchange can end them. @default false
   */
  allowUnverified?: boolean;
  /**
   * Which broker user may announce which component, e.g.
   * `(component, userId) => userId === 'billing-svc' || !component.startsWith('Billing')`.
   * `userId` is the broker-verified user (undefined for an unverified instance).
   * @default every user the broker verified
   */
  trust?: (component: string, userId: string | undefined) => boolean;
}

/** The options with every default filled in, validated once by `ComponentsModule.forRoot`. */
export interface ResolvedComponentsOptions {
  heartbeatMs: number;
  missedHeartbeats: number;
  registryExchange: string;
  userId: string | false | undefined;
  registry: Required<Omit<ComponentRegistryOptions, 'trust'>> & Pick<ComponentRegistryOptions, 'trust'>;
}

/** A component method as announced to the registry. */
export interface ComponentMethodInfo {
  name: string;
  /** Argument names and types (a DTO's class name when the method takes one). */
  params: Array<{ name: string; type: string }>;
  /**
   * JSON Schema of the arguments object a caller passes. A DTO's is generated from its
   * class-validator constraints when the optional peer `class-validator-jsonschema` is installed;
   * without it, `{ type: 'object' }`.
   */
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
