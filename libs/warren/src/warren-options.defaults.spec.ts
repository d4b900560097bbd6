import * as fs from 'fs';
import * as path from 'path';
import type { ValidatorOptions } from 'class-validator';
import { resolveRetry } from './consumer/failure-policy';
import { resolveOptions, type ResolvedWarrenOptions } from './warren-options';
import { WarrenModule } from './warren.module';

/**
 * docs/options.md is the options reference users read: its tables' default column must be what
 * `resolveOptions({})` (and, for `retry.*`, the retry policy built from it) really gives, so the
 * page cannot drift from the code.
 */
const OPTIONS_PAGE = path.join(__dirname, '..', '..', '..', 'docs', 'options.md');

/** Where each documented scalar option lands in the resolved options. */
const RESOLVED: Record<string, (resolved: ResolvedWarrenOptions) => unknown> = {
  uri: (r) => r.uris[0],
  name: (r) => r.name,
  'connection.name': (r) => r.connection.name,
  'connection.connectTimeoutMs': (r) => r.connection.connectTimeoutMs,
  'connection.heartbeatSeconds': (r) => r.connection.heartbeatSeconds,
  'connection.reconnectDelayMs': (r) => r.connection.reconnectDelayMs,
  'connection.noDelay': (r) => r.connection.noDelay,
  'connection.coalesceWrites': (r) => r.connection.coalesceWrites,
  'connection.maxConsumerChannels': (r) => r.connection.maxConsumerChannels,
  'connection.allowPlaintextFallback': (r) => r.connection.allowPlaintextFallback,
  'publish.timeoutMs': (r) => r.publishTimeoutMs,
  'publish.mandatory': (r) => r.mandatory,
  'publish.maxBufferedMessages': (r) => r.maxBufferedMessages,
  'publish.maxBufferedBytes': (r) => r.maxBufferedBytes,
  maxMessageBytes: (r) => r.maxMessageBytes,
  prefetch: (r) => r.prefetch,
  queueType: (r) => r.queues.type,
  deliveryLimit: (r) => r.queues.deliveryLimit,
  'consumer.maxInFlightBytes': (r) => r.consumer.maxInFlightBytes,
  'retry.attempts': (r) => retryOf(r).attempts,
  'retry.initialDelayMs': (r) => retryOf(r).initialDelayMs,
  'retry.multiplier': (r) => retryOf(r).multiplier,
  'retry.maxDelayMs': (r) => retryOf(r).maxDelayMs,
  'retry.mode': (r) => retryOf(r).mode,
  'shutdown.drainTimeoutMs': (r) => r.drainTimeoutMs,
  registerHandlers: (r) => r.handling.registerHandlers,
  'rpc.timeoutMs': (r) => r.rpcTimeoutMs,
  'rpc.prefetch': (r) => r.rpcPrefetch,
  'validation.forbidUnknownValues': (r) => (r.validation as ValidatorOptions).forbidUnknownValues,
  'validation.onPublish': (r) => r.validateOnPublish,
  'topology.mode': (r) => r.topology.mode,
  handlerFormat: (r) => r.handling.format,
  // Its default applies once `connection.reconnect` is given (without it Warren keeps its fixed pause).
  'connection.reconnect.maxDelayMs': () => resolveOptions({ connection: { reconnect: {} } }, {}).connection.reconnect.maxDelayMs,
};

/** Scalar defaults that `resolveOptions` does not apply (WarrenModule.forRoot reads it itself). */
const NOT_RESOLVED = new Set(['isGlobal']);

function retryOf(resolved: ResolvedWarrenOptions) {
  const retry = resolveRetry(undefined, resolved.retry);
  if (!retry) throw new Error('retries are off by default');
  return retry;
}

/** `| option | default | meaning |` rows of every table on the page: option → default cell. */
function documentedDefaults(markdown: string): Map<string, string> {
  const rows = new Map<string, string>();
  let inOptionsTable = false;
  for (const line of markdown.split('\n')) {
    if (!line.startsWith('|')) {
      inOptionsTable = false;
      continue;
    }
    const cells = line.split(/(?<!\\)\|/).slice(1, -1).map((cell) => cell.trim());
    if (cells[0] === 'option' && cells[1] === 'default') {
      inOptionsTable = true;
      continue;
    }
    if (!inOptionsTable || /^-+$/.test(cells[0])) continue;
    const option = /^`([^`]+)`$/.exec(cells[0]);
    if (option) rows.set(option[1], cells[1]);
  }
  return rows;
}

/** The first code span of a default cell, as a value when it is a scalar: 10000, 64 MiB, true, 'classic', a URI. */
function scalar(cell: string): { value: unknown } | undefined {
  const span = /`([^`]+)`/.exec(cell)?.[1];
  if (span === undefined) return undefined;
  if (/^-?\d+(\.\d+)?$/.test(span)) return { value: Number(span) };
  const size = /^(\d+) (KiB|MiB|GiB)$/.exec(span);
  if (size) return { value: Number(size[1]) * 1024 ** { KiB: 1, MiB: 2, GiB: 3 }[size[2] as 'KiB' | 'MiB' | 'GiB'] };
  if (span === 'true' || span === 'false') return { value: span === 'true' };
  const quoted = /^'([^']*)'$/.exec(span);
  if (quoted) return { value: quoted[1] };
  if (/^amqps?:\/\//.test(span)) return { value: span };
  return undefined;
}

describe('docs/options.md', () => {
  const documented = documentedDefaults(fs.readFileSync(OPTIONS_PAGE, 'utf8'));
  const scalars = [...documented].flatMap(([option, cell]) => {
    const parsed = scalar(cell);
    return parsed ? [{ option, value: parsed.value }] : [];
  });
  // No RABBITMQ_URL or WARREN_TOPOLOGY_FILE from the machine running the tests.
  const resolved = resolveOptions({}, {});

  it('documents the options with scalar defaults', () => {
    expect(scalars.length).toBeGreaterThanOrEqual(30);
  });

  it.each(scalars.filter(({ option }) => !NOT_RESOLVED.has(option)))('$option defaults to $value', ({ option, value }) => {
    const read = RESOLVED[option];
    if (!read) throw new Error(`docs/options.md documents a default for ${option}; add where resolveOptions puts it to RESOLVED`);
    expect(read(resolved)).toEqual(value);
  });

  it('every option this test knows is on the page, with a scalar default', () => {
    const missing = Object.keys(RESOLVED).filter((option) => !scalars.some((entry) => entry.option === option));
    expect(missing).toEqual([]);
  });

  it('isGlobal: WarrenModule.forRoot() registers the module as documented', () => {
    const isGlobal = scalars.find(({ option }) => option === 'isGlobal')?.value;
    expect(WarrenModule.forRoot().global).toBe(isGlobal);
  });
});
