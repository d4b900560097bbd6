import { WarrenConfigurationError } from './errors/configuration.error';
import type { WarrenModuleOptions } from './interfaces';
import { resolveOptions } from './warren-options';

describe('resolveOptions', () => {
  it('fills in the documented defaults', () => {
    const resolved = resolveOptions({}, {});
    expect(resolved).toMatchObject({
      uris: ['amqp://guest:guest@127.0.0.1:5672'],
      prefetch: 10,
      rpcTimeoutMs: 10_000,
      publishTimeoutMs: 10_000,
      drainTimeoutMs: 10_000,
      consumer: { maxInFlightBytes: 64 * 1024 * 1024 },
      connection: { connectTimeoutMs: 5_000, heartbeatSeconds: 5, reconnectDelayMs: 1_000, noDelay: true, coalesceWrites: true, name: 'warren' },
      validation: { forbidUnknownValues: false },
    });
  });

  it('falls back to RABBITMQ_URL, and an explicit uri wins over it', () => {
    expect(resolveOptions({}, { RABBITMQ_URL: 'amqp://u:p@h:1' }).uris).toEqual(['amqp://u:p@h:1']);
    expect(resolveOptions({ uri: ['amqp://a', 'amqp://b'] }, { RABBITMQ_URL: 'amqp://env' }).uris).toEqual(['amqp://a', 'amqp://b']);
  });

  it('never mutates the options it was given', () => {
    const options: WarrenModuleOptions = { uri: ['amqp://a'], exchanges: [{ name: 'x' }], rpc: {}, validation: { whitelist: true } };
    const snapshot = JSON.stringify(options);
    const resolved = resolveOptions(options, {});
    resolved.uris.push('amqp://b');
    resolved.exchanges[0].name = 'changed';
    expect(JSON.stringify(options)).toBe(snapshot);
  });

  it('keeps validation: false, and merges user validator options', () => {
    expect(resolveOptions({ validation: false }, {}).validation).toBe(false);
    expect(resolveOptions({ validation: { whitelist: true } }, {}).validation).toEqual({ forbidUnknownValues: false, whitelist: true });
  });

  it.each<[string, WarrenModuleOptions]>([
    ['prefetch', { prefetch: 0 }],
    ['prefetch', { prefetch: 2.5 }],
    ['rpc.timeoutMs', { rpc: { timeoutMs: -1 } }],
    ['shutdown.drainTimeoutMs', { shutdown: { drainTimeoutMs: Number.NaN } }],
    ['connection.connectTimeoutMs', { connection: { connectTimeoutMs: 0 } }],
    ['consumer.maxInFlightBytes', { consumer: { maxInFlightBytes: 0 } }],
  ])('rejects a bad %s with WarrenConfigurationError', (name, options) => {
    expect(() => resolveOptions(options, {})).toThrow(WarrenConfigurationError);
    expect(() => resolveOptions(options, {})).toThrow(name);
  });

  it('requires every exchange to have a name', () => {
    expect(() => resolveOptions({ exchanges: [{ name: '' }] }, {})).toThrow(WarrenConfigurationError);
  });
});
