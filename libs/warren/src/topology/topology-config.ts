import { readFileSync } from 'fs';
import { WarrenConfigurationError } from '../errors/configuration.error';
import { TOPOLOGY_FILE_ENV, WarrenPublication, WarrenTopology } from './topology.interface';

export interface ResolvedTopology {
  mode: 'assert' | 'check';
  topology: Required<Omit<WarrenTopology, 'mode'>>;
  publications: Record<string, WarrenPublication>;
}

/**
 * The topology and publications: from the module options, over those of the JSON file that
 * `WARREN_TOPOLOGY_FILE` names (the options win, entry by entry). Checked for consistency: a
 * binding or publication naming an exchange or queue the topology does not have fails start-up.
 */
export function resolveTopology(
  given: { topology?: WarrenTopology; publications?: Record<string, WarrenPublication>; exchanges?: Array<{ name: string }> },
  env: NodeJS.ProcessEnv,
): ResolvedTopology {
  const file = env[TOPOLOGY_FILE_ENV] ? readTopologyFile(env[TOPOLOGY_FILE_ENV]!) : {};
  const topology = { ...file.topology, ...given.topology };
  const resolved: ResolvedTopology = {
    mode: topology.mode ?? 'assert',
    topology: { exchanges: topology.exchanges ?? [], queues: topology.queues ?? [], bindings: topology.bindings ?? [] },
    publications: { ...file.publications, ...given.publications },
  };
  if (resolved.mode !== 'assert' && resolved.mode !== 'check') {
    throw new WarrenConfigurationError(`topology.mode must be 'assert' or 'check'; got '${String(resolved.mode)}'`);
  }
  checkConsistency(resolved, given.exchanges ?? []);
  return resolved;
}

function readTopologyFile(path: string): { topology?: WarrenTopology; publications?: Record<string, WarrenPublication> } {
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new WarrenConfigurationError(`${TOPOLOGY_FILE_ENV} names '${path}', which cannot be read as JSON: ${(error as Error).message}`);
  }
}

function checkConsistency({ topology, publications }: ResolvedTopology, moduleExchanges: Array<{ name: string }>): void {
  const exchanges = new Set(['', ...topology.exchanges.map((e) => e.name), ...moduleExchanges.map((e) => e.name)]);
  const queues = new Set(topology.queues.map((q) => q.name));
  const problems: string[] = [];
  for (const name of duplicates(topology.exchanges.map((e) => e.name))) problems.push(`exchange '${name}' is declared twice`);
  for (const name of duplicates(topology.queues.map((q) => q.name))) problems.push(`queue '${name}' is declared twice`);
  for (const b of topology.bindings) {
    if (!exchanges.has(b.exchange)) problems.push(`a binding names exchange '${b.exchange}', which the topology does not declare`);
    if ((b.queue === undefined) === (b.destinationExchange === undefined)) {
      problems.push(`the binding from '${b.exchange}' with key '${b.routingKey}' needs exactly one of queue or destinationExchange`);
    }
    if (b.queue !== undefined && !queues.has(b.queue)) problems.push(`a binding names queue '${b.queue}', which the topology does not declare`);
    if (b.destinationExchange !== undefined && !exchanges.has(b.destinationExchange)) {
      problems.push(`a binding names exchange '${b.destinationExchange}', which the topology does not declare`);
    }
  }
  for (const [name, p] of Object.entries(publications)) {
    if (!p || typeof p.exchange !== 'string' || typeof p.routingKey !== 'string') problems.push(`publication '${name}' needs an exchange and a routingKey`);
    else if (!exchanges.has(p.exchange)) problems.push(`publication '${name}' goes to exchange '${p.exchange}', which the topology does not declare`);
  }
  if (problems.length > 0) throw new WarrenConfigurationError(`Inconsistent topology: ${problems.join('; ')}`);
}

function duplicates(names: string[]): string[] {
  return names.filter((name, i) => names.indexOf(name) !== i);
}
