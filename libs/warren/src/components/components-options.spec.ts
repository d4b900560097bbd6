import { WarrenConfigurationError } from '../errors/configuration.error';
import { resolveComponentsOptions } from './components-options';

describe('resolveComponentsOptions', () => {
  it('fills in the defaults', () => {
    expect(resolveComponentsOptions()).toEqual({
      heartbeatMs: 5_000,
      missedHeartbeats: 3,
      registryExchange: 'warren.components.registry',
      userId: undefined,
      registry: { maxInstances: 4_096, maxInstancesPerComponent: 256, maxMessageBytes: 65_536, maxTotalBytes: 33_554_432, allowUnverified: false, trust: undefined },
    });
  });

  it('keeps what is given', () => {
    const trust = () => true;
    const resolved = resolveComponentsOptions({ heartbeatMs: 200, userId: false, registry: { maxInstances: 10, allowUnverified: true, trust } });
    expect(resolved).toMatchObject({ heartbeatMs: 200, userId: false, registry: { maxInstances: 10, maxInstancesPerComponent: 256, allowUnverified: true, trust } });
  });

  it.each([
    [{ heartbeatMs: 0 }, /heartbeatMs must be a whole number from 1/],
    [{ heartbeatMs: 1.5 }, /heartbeatMs/],
    [{ heartbeatMs: 2 ** 31 }, /heartbeatMs/],
    [{ missedHeartbeats: 0 }, /missedHeartbeats/],
    [{ registryExchange: '' }, /registryExchange must be an exchange name/],
    [{ userId: '' }, /userId must be a broker user name/],
    [{ userId: true }, /userId/],
    [{ registry: { maxInstances: 0 } }, /registry.maxInstances must be/],
    [{ registry: { maxInstancesPerComponent: Number.NaN } }, /registry.maxInstancesPerComponent/],
    [{ registry: { maxMessageBytes: 10 } }, /registry.maxMessageBytes/],
    [{ registry: { maxTotalBytes: 1_024 } }, /registry.maxTotalBytes must be a whole number from 65536/],
    [{ registry: { allowUnverified: 'yes' } }, /registry.allowUnverified must be true or false; got 'yes'/],
    [{ registry: { trust: 'guest' } }, /registry.trust must be a function/],
  ])('refuses %j', (options, expected) => {
    expect(() => resolveComponentsOptions(options as never)).toThrow(WarrenConfigurationError);
    expect(() => resolveComponentsOptions(options as never)).toThrow(expected);
  });
});
