import { AsyncApiChange, Resolve, diffSchemas } from './schema-diff';

export type { AsyncApiChange } from './schema-diff';

/** What `diffAsyncApi` found: the changes that break the other side, and those that do not. */
export interface AsyncApiDiff {
  breaking: AsyncApiChange[];
  compatible: AsyncApiChange[];
}

type Node = Record<string, unknown>;

/**
 * What changed from one AsyncAPI 3 document to the next, for the services on the other side.
 * Breaking: a channel or operation removed, a message removed from an operation, a required
 * payload property added (or an optional one made required), a property's type changed.
 * Compatible: anything added, an optional property added, a property removed or made optional,
 * a type widened. Channels and operations are matched by key, else (renamed) by what they are:
 * the channel's address and AMQP exchange or queue, the operation's action and channel.
 */
export function diffAsyncApi(before: unknown, after: unknown): AsyncApiDiff {
  const old = asDocument(before, 'old');
  const next = asDocument(after, 'new');
  const resolve = { before: resolver(old), after: resolver(next) };
  const changes: AsyncApiChange[] = [];
  const oldChannels = record(old.channels);
  const newChannels = record(next.channels);
  const channelMatch = matchEntries(oldChannels, newChannels, (channel) => channelSignature(channel));
  for (const [key, channel] of Object.entries(oldChannels)) {
    if (!channelMatch.has(key)) changes.push({ breaking: true, kind: 'channel-removed', where: key, text: `channel '${key}' removed (${describeChannel(channel)})` });
  }
  const matchedNew = new Set(channelMatch.values());
  for (const [key, channel] of Object.entries(newChannels)) {
    if (!matchedNew.has(key)) changes.push({ breaking: false, kind: 'channel-added', where: key, text: `channel '${key}' added (${describeChannel(channel)})` });
  }
  const oldOps = record(old.operations);
  const newOps = record(next.operations);
  const opSignature = (resolveIn: Resolve) => (op: unknown) => `${record(op).action}|${channelSignature(resolveIn(record(op).channel))}`;
  const opMatch = matchEntries(oldOps, newOps, opSignature(resolve.before), opSignature(resolve.after));
  for (const [key, op] of Object.entries(oldOps)) {
    const newKey = opMatch.get(key);
    const channel = resolve.before(record(op).channel);
    if (newKey === undefined) {
      changes.push({ breaking: true, kind: 'operation-removed', where: key, text: `operation '${key}' removed (${record(op).action} on ${describeChannel(channel)})` });
      continue;
    }
    changes.push(...diffMessages(key, op, newOps[newKey], resolve));
  }
  const matchedOps = new Set(opMatch.values());
  for (const [key, op] of Object.entries(newOps)) {
    if (!matchedOps.has(key)) changes.push({ breaking: false, kind: 'operation-added', where: key, text: `operation '${key}' added (${record(op).action} on ${describeChannel(resolve.after(record(op).channel))})` });
  }
  return { breaking: changes.filter((c) => c.breaking), compatible: changes.filter((c) => !c.breaking) };
}

/** An operation's messages, paired by name (or the only one on each side), their payloads compared. */
function diffMessages(key: string, before: unknown, after: unknown, resolve: { before: Resolve; after: Resolve }): AsyncApiChange[] {
  const a = messagesOf(before, resolve.before);
  const b = messagesOf(after, resolve.after);
  const changes: AsyncApiChange[] = [];
  const single = a.length === 1 && b.length === 1;
  for (const [name, message] of a) {
    const counterpart = single ? b[0] : b.find(([other]) => other === name);
    const where = `operation '${key}' message '${name}'`;
    if (!counterpart) {
      changes.push({ breaking: true, kind: 'message-removed', where, text: `${where} removed` });
      continue;
    }
    changes.push(...diffSchemas(message.payload, counterpart[1].payload, `${where} payload`, resolve));
  }
  for (const [name] of b) {
    if (!single && !a.some(([other]) => other === name)) {
      const where = `operation '${key}' message '${name}'`;
      changes.push({ breaking: false, kind: 'message-added', where, text: `${where} added` });
    }
  }
  return changes;
}

/** The messages an operation names (all its channel's when it names none), by name. */
function messagesOf(operation: unknown, resolve: Resolve): Array<[string, Node]> {
  const op = record(operation);
  const refs = Array.isArray(op.messages) ? op.messages : Object.values(record(resolve(op.channel)?.messages));
  return refs.flatMap((ref): Array<[string, Node]> => {
    const message = resolve(ref);
    if (!message) return [];
    const pointer = typeof record(ref).$ref === 'string' ? String(record(ref).$ref) : '';
    const name = typeof message.name === 'string' ? message.name : pointer.split('/').pop() || '(unnamed)';
    return [[name, message]];
  });
}

/** Pairs entries by key, then the rest by signature (in order). */
function matchEntries(before: Node, after: Node, signature: (node: unknown) => string, signatureAfter = signature): Map<string, string> {
  const match = new Map<string, string>();
  const taken = new Set<string>();
  for (const key of Object.keys(before)) {
    if (key in after) {
      match.set(key, key);
      taken.add(key);
    }
  }
  for (const [key, node] of Object.entries(before)) {
    if (match.has(key)) continue;
    const wanted = signature(node);
    const found = Object.entries(after).find(([other, candidate]) => !taken.has(other) && signatureAfter(candidate) === wanted);
    if (found) {
      match.set(key, found[0]);
      taken.add(found[0]);
    }
  }
  return match;
}

function channelSignature(channel: unknown): string {
  const node = record(channel);
  const amqp = record(record(node.bindings).amqp);
  return `${String(node.address)}|${String(amqp.is ?? '')}|${String(record(amqp.exchange).name ?? '')}|${String(record(amqp.queue).name ?? '')}`;
}

function describeChannel(channel: unknown): string {
  const node = record(channel);
  const amqp = record(record(node.bindings).amqp);
  const address = node.address === null || node.address === undefined ? '(dynamic address)' : `address '${String(node.address)}'`;
  if (amqp.is === 'routingKey') return `${address} on exchange '${String(record(amqp.exchange).name ?? '')}'`;
  if (amqp.is === 'queue') return `queue ${address}`;
  return address;
}

/** Follows local references (`#/components/...`), at most 64 deep; others resolve to nothing. */
function resolver(document: Node): Resolve {
  return (node) => {
    let current: unknown = node;
    for (let hops = 0; hops < 64; hops++) {
      const ref = record(current).$ref;
      if (typeof ref !== 'string') break;
      if (!ref.startsWith('#/')) return undefined;
      current = ref
        .slice(2)
        .split('/')
        .map((part) => decodeURIComponent(part).replace(/~1/g, '/').replace(/~0/g, '~'))
        .reduce<unknown>((at, part) => record(at)[part], document);
    }
    return typeof current === 'object' && current !== null && !Array.isArray(current) ? (current as Node) : undefined;
  };
}

function asDocument(value: unknown, which: string): Node {
  const node = record(value);
  if (typeof node.asyncapi !== 'string' || !node.asyncapi.startsWith('3.')) {
    throw new TypeError(`The ${which} document is not an AsyncAPI 3 document (its 'asyncapi' field is ${JSON.stringify(node.asyncapi) ?? 'missing'})`);
  }
  return node;
}

function record(value: unknown): Node {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Node) : {};
}
