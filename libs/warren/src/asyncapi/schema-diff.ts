/** One difference between two documents; `breaking` ones fail `warren asyncapi diff`. */
export interface AsyncApiChange {
  breaking: boolean;
  kind:
    | 'channel-removed'
    | 'operation-removed'
    | 'message-removed'
    | 'required-property-added'
    | 'property-became-required'
    | 'type-changed'
    | 'channel-added'
    | 'operation-added'
    | 'message-added'
    | 'optional-property-added'
    | 'property-removed'
    | 'property-became-optional'
    | 'type-widened';
  /** Where: the operation or channel, and the property path in the payload. */
  where: string;
  text: string;
}

type Node = Record<string, unknown>;
/** Follows local `$ref`s in the document the node belongs to. */
export type Resolve = (node: unknown) => Node | undefined;

const MAX_DEPTH = 32;

/**
 * Compares two payload schemas the way a consumer of the message sees them: a property that
 * becomes required (new or old), or a changed type, can reject messages that were valid before;
 * an optional property added, a property removed or made optional, or a type widened cannot.
 */
export function diffSchemas(before: unknown, after: unknown, where: string, resolve: { before: Resolve; after: Resolve }, depth = 0): AsyncApiChange[] {
  const a = unwrap(resolve.before(before));
  const b = unwrap(resolve.after(after));
  if (!a || !b || depth > MAX_DEPTH) return [];
  const changes: AsyncApiChange[] = [];
  const typesBefore = typesOf(a);
  const typesAfter = typesOf(b);
  if (typesAfter && !sameSet(typesBefore, typesAfter)) {
    const widened = typesBefore !== undefined && typesBefore.every((t) => typesAfter.includes(t) || (t === 'integer' && typesAfter.includes('number')));
    const from = typesBefore ? typesBefore.join('|') : 'any';
    changes.push(
      widened
        ? { breaking: false, kind: 'type-widened', where, text: `${where}: type widened from ${from} to ${typesAfter.join('|')}` }
        : { breaking: true, kind: 'type-changed', where, text: `${where}: type changed from ${from} to ${typesAfter.join('|')}` },
    );
  } else if (!typesAfter && typesBefore) {
    changes.push({ breaking: false, kind: 'type-widened', where, text: `${where}: type widened from ${typesBefore.join('|')} to any` });
  }
  const propsBefore = record(a.properties);
  const propsAfter = record(b.properties);
  const requiredBefore = new Set(strings(a.required));
  const requiredAfter = new Set(strings(b.required));
  for (const name of requiredAfter) {
    if (requiredBefore.has(name)) continue;
    const path = `${where}.${name}`;
    if (name in propsBefore) changes.push({ breaking: true, kind: 'property-became-required', where: path, text: `${path}: optional property became required` });
    else changes.push({ breaking: true, kind: 'required-property-added', where: path, text: `${path}: required property added` });
  }
  for (const name of Object.keys(propsAfter)) {
    const path = `${where}.${name}`;
    if (!(name in propsBefore) && !requiredAfter.has(name)) changes.push({ breaking: false, kind: 'optional-property-added', where: path, text: `${path}: optional property added` });
  }
  for (const name of Object.keys(propsBefore)) {
    const path = `${where}.${name}`;
    if (!(name in propsAfter)) changes.push({ breaking: false, kind: 'property-removed', where: path, text: `${path}: property removed` });
    else changes.push(...diffSchemas(propsBefore[name], propsAfter[name], path, resolve, depth + 1));
  }
  for (const name of requiredBefore) {
    const path = `${where}.${name}`;
    if (!requiredAfter.has(name) && name in propsAfter) changes.push({ breaking: false, kind: 'property-became-optional', where: path, text: `${path}: required property became optional` });
  }
  if (a.items !== undefined && b.items !== undefined && !Array.isArray(a.items) && !Array.isArray(b.items)) {
    changes.push(...diffSchemas(a.items, b.items, `${where}[]`, resolve, depth + 1));
  }
  return changes;
}

/** A multi-format schema (`{ schemaFormat, schema }`) is compared by its schema. */
function unwrap(node: Node | undefined): Node | undefined {
  if (node && typeof node.schemaFormat === 'string' && typeof node.schema === 'object') return node.schema as Node;
  return node;
}

function typesOf(node: Node): string[] | undefined {
  if (typeof node.type === 'string') return [node.type];
  if (Array.isArray(node.type)) return strings(node.type).sort();
  return undefined;
}

function sameSet(a: string[] | undefined, b: string[]): boolean {
  return a !== undefined && a.length === b.length && a.every((t) => b.includes(t));
}

function record(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}
