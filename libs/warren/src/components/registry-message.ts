import type { ComponentInstance, ComponentMethodInfo } from './components-options.interface';

/** What one announcement may hold. A host of Warren's stays far inside these. */
export const REGISTRY_LIMITS = {
  /** Component and method names: a component name is a routing key, at most 255 bytes. */
  nameBytes: 255,
  instanceIdBytes: 255,
  hostBytes: 255,
  versionBytes: 64,
  methods: 256,
  paramsPerMethod: 64,
  /** Nesting of a method's JSON Schema (objects and arrays). */
  schemaDepth: 32,
} as const;

/** An instance as announced: only the fields a host sends, nothing else of the sender's. */
export type AnnouncedInstance = Omit<ComponentInstance, 'lastSeen' | 'userId'>;

/** A registry message checked field by field, or why it is not one. */
export type ParsedRegistryMessage =
  | { type: 'query' }
  | { type: 'announce' | 'heartbeat'; instance: AnnouncedInstance }
  | { type: 'goodbye'; instanceId: string }
  | { invalid: string };

class Malformed extends Error {}

/**
 * Checks a decoded registry message: its type, and for announcements and heartbeats every field
 * of the instance (types, lengths, method count, schema depth). Never throws.
 */
export function parseRegistryMessage(payload: unknown): ParsedRegistryMessage {
  try {
    const message = record(payload, 'the message');
    const type = message.type;
    if (type === 'query') return { type };
    if (type !== 'announce' && type !== 'heartbeat' && type !== 'goodbye') throw new Malformed("type must be 'announce', 'heartbeat', 'goodbye' or 'query'");
    const instance = record(message.instance, 'instance');
    const instanceId = text(instance.instanceId, 'instance.instanceId', REGISTRY_LIMITS.instanceIdBytes);
    if (type === 'goodbye') return { type, instanceId };
    return {
      type,
      instance: {
        component: text(instance.component, 'instance.component', REGISTRY_LIMITS.nameBytes),
        instanceId,
        host: text(instance.host, 'instance.host', REGISTRY_LIMITS.hostBytes, true),
        pid: pid(instance.pid),
        version: text(instance.version, 'instance.version', REGISTRY_LIMITS.versionBytes, true),
        methods: methods(instance.methods),
      },
    };
  } catch (error) {
    if (error instanceof Malformed) return { invalid: error.message };
    return { invalid: 'it could not be read' };
  }
}

function record(value: unknown, what: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Malformed(`${what} must be an object`);
  return value as Record<string, unknown>;
}

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/;

function text(value: unknown, what: string, maxBytes: number, emptyAllowed = false): string {
  const ok = typeof value === 'string' && (emptyAllowed || value.length > 0) && value.length <= maxBytes && Buffer.byteLength(value) <= maxBytes && !CONTROL.test(value);
  if (!ok) throw new Malformed(`${what} must be a string of ${emptyAllowed ? 0 : 1} to ${maxBytes} bytes without control characters`);
  return value as string;
}

function pid(value: unknown): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > 2 ** 32) throw new Malformed('instance.pid must be a whole number from 0 to 2^32');
  return value;
}

function methods(value: unknown): ComponentMethodInfo[] {
  if (!Array.isArray(value) || value.length > REGISTRY_LIMITS.methods) throw new Malformed(`instance.methods must be an array of at most ${REGISTRY_LIMITS.methods}`);
  const names = new Set<string>();
  return value.map((entry, i) => {
    const method = record(entry, `instance.methods[${i}]`);
    const name = text(method.name, `instance.methods[${i}].name`, REGISTRY_LIMITS.nameBytes);
    if (names.has(name)) throw new Malformed(`instance.methods[${i}].name repeats a method name`);
    names.add(name);
    const params = method.params;
    if (!Array.isArray(params) || params.length > REGISTRY_LIMITS.paramsPerMethod) {
      throw new Malformed(`instance.methods[${i}].params must be an array of at most ${REGISTRY_LIMITS.paramsPerMethod}`);
    }
    return {
      name,
      params: params.map((p, j) => {
        const param = record(p, `instance.methods[${i}].params[${j}]`);
        const where = `instance.methods[${i}].params[${j}]`;
        return { name: text(param.name, `${where}.name`, REGISTRY_LIMITS.nameBytes), type: text(param.type, `${where}.type`, REGISTRY_LIMITS.nameBytes) };
      }),
      schema: schema(method.schema, `instance.methods[${i}].schema`),
    };
  });
}

/** A JSON Schema is an object; its nesting is bounded so that serialising the catalogue cannot overflow the stack. */
function schema(value: unknown, what: string): Record<string, unknown> {
  const root = record(value, what);
  let level: unknown[] = [root];
  for (let depth = 1; level.length > 0; depth++) {
    if (depth > REGISTRY_LIMITS.schemaDepth) throw new Malformed(`${what} nests deeper than ${REGISTRY_LIMITS.schemaDepth} levels`);
    const next: unknown[] = [];
    for (const node of level) for (const child of Object.values(node as object)) if (typeof child === 'object' && child !== null) next.push(child);
    level = next;
  }
  return root;
}
