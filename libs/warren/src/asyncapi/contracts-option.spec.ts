import { defineEvent, defineRpc } from '../contracts/contracts';
import { WarrenConfigurationError } from '../errors/configuration.error';
import { resolveOptions } from '../warren-options';

describe('the contracts option (what the AsyncAPI document lists as sent)', () => {
  const sum = defineRpc({ exchange: 'math', routingKey: 'sum' });
  const created = defineEvent({ exchange: 'shop', routingKey: 'order.created' });

  it('defaults to none and copies the list it is given', () => {
    expect(resolveOptions({}, {}).contracts).toEqual([]);
    const given = [sum, created];
    const resolved = resolveOptions({ contracts: given }, {});
    expect(resolved.contracts).toEqual([sum, created]);
    expect(resolved.contracts).not.toBe(given);
  });

  it('refuses what defineRpc / defineEvent did not make', () => {
    expect(() => resolveOptions({ contracts: [sum, { exchange: 'x', routingKey: 'y' } as never] }, {})).toThrow(WarrenConfigurationError);
    expect(() => resolveOptions({ contracts: [sum, { exchange: 'x', routingKey: 'y' } as never] }, {})).toThrow(/entry 1 is not a contract/);
    expect(() => resolveOptions({ contracts: sum as never }, {})).toThrow(/must be an array/);
  });
});
