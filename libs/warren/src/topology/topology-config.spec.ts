import { mkdtempSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { WarrenConfigurationError } from '../errors/configuration.error';
import { resolveTopology } from './topology-config';

describe('resolveTopology', () => {
  let dir: string;
  beforeAll(() => (dir = mkdtempSync(join(tmpdir(), 'warren-topology-'))));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('reads the JSON file WARREN_TOPOLOGY_FILE names; the module options win entry by entry', () => {
    const file = join(dir, 'topology.json');
    writeFileSync(file, JSON.stringify({
      topology: { exchanges: [{ name: 'shop' }] },
      publications: { created: { exchange: 'shop', routingKey: 'order.created' }, paid: { exchange: 'shop', routingKey: 'order.paid' } },
    }));
    const resolved = resolveTopology({ publications: { paid: { exchange: 'shop', routingKey: 'order.settled' } } }, { WARREN_TOPOLOGY_FILE: file });
    expect(resolved.mode).toBe('assert');
    expect(resolved.topology.exchanges.map((e) => e.name)).toEqual(['shop']);
    expect(resolved.publications).toEqual({
      created: { exchange: 'shop', routingKey: 'order.created' },
      paid: { exchange: 'shop', routingKey: 'order.settled' },
    });
  });

  it('refuses an unreadable file, an unknown mode, and a binding that needs both or neither target', () => {
    expect(() => resolveTopology({}, { WARREN_TOPOLOGY_FILE: join(dir, 'missing.json') })).toThrow(/cannot be read as JSON/);
    expect(() => resolveTopology({ topology: { mode: 'declare' as 'assert' } }, {})).toThrow(WarrenConfigurationError);
    expect(() => resolveTopology({ topology: { exchanges: [{ name: 'x' }], bindings: [{ exchange: 'x', routingKey: '#' }] } }, {})).toThrow(/exactly one of queue or destinationExchange/);
  });
});
