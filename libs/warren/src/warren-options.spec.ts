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
      maxBufferedMessages: 10_000,
      maxBufferedBytes: 64 * 1024 * 1024,
      drainTimeoutMs: 10_000,
      consumer: { maxInFlightBytes: 64 * 1024 * 1024 },
      connection: { connectTimeoutMs: 5_000, heartbeatSeconds: 5, reconnectDelayMs: 1_000, noDelay: true, coalesceWrites: true, name: 'warren' },
      validation: { forbidUnknownValues: true },
    });
  });

  it('validation.onPublish: on by default, not passed to class-validator, off with validation: false, a boolean', () => {
    expect(resolveOptions({}, {}).validateOnPublish).toBe(true);
    const lax = resolveOptions({ validation: { onPublish: false, whitelist: true } }, {});
    expect([lax.validateOnPublish, lax.validation]).toEqual([false, { forbidUnknownValues: true, whitelist: true }]);
    expect(resolveOptions({ validation: false }, {}).validateOnPublish).toBe(false);
    expect(() => resolveOptions({ validation: { onPublish: 'no' as never } }, {})).toThrow(WarrenConfigurationError);
  });

  it('connection.reconnect: absent, a fixed pause forever (as before); given, backoff up to 30 s or reconnectDelayMs', () => {
    expect(resolveOptions({ connection: { reconnectDelayMs: 300 } }, {}).connection.reconnect).toEqual({ delayMs: 300, backoff: false, maxDelayMs: 300 });
    expect(resolveOptions({ connection: { reconnect: { maxAttempts: 3 } } }, {}).connection.reconnect).toEqual({ delayMs: 1_000, backoff: true, maxAttempts: 3, maxDelayMs: 30_000 });
    expect(resolveOptions({ connection: { reconnectDelayMs: 60_000, reconnect: {} } }, {}).connection.reconnect.maxDelayMs).toBe(60_000);
    expect(resolveOptions({ connection: { reconnectDelayMs: 500, reconnect: { maxDelayMs: 500 } } }, {}).connection.reconnect.maxDelayMs).toBe(500);
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
    expect(resolveOptions({ validation: { whitelist: true } }, {}).validation).toEqual({ forbidUnknownValues: true, whitelist: true });
    expect(resolveOptions({ validation: { forbidUnknownValues: false } }, {}).validation).toEqual({ forbidUnknownValues: false });
  });

  it.each<[string, WarrenModuleOptions]>([
    ['prefetch', { prefetch: 0 }],
    ['prefetch', { prefetch: 2.5 }],
    ['rpc.timeoutMs', { rpc: { timeoutMs: -1 } }],
    ['shutdown.drainTimeoutMs', { shutdown: { drainTimeoutMs: Number.NaN } }],
    ['connection.connectTimeoutMs', { connection: { connectTimeoutMs: 0 } }],
    ['publish.maxBufferedBytes', { publish: { maxBufferedBytes: 0 } }],
    ['consumer.maxInFlightBytes', { consumer: { maxInFlightBytes: 0 } }],
    ['connection.reconnect.maxAttempts', { connection: { reconnect: { maxAttempts: 0 } } }],
    ['connection.reconnect.maxAttempts', { connection: { reconnect: { maxAttempts: 1.5 } } }],
    ['connection.reconnect.maxDelayMs', { connection: { reconnect: { maxDelayMs: -5 } } }],
    ['connection.reconnect.maxDelayMs', { connection: { reconnectDelayMs: 2_000, reconnect: { maxDelayMs: 1_000 } } }],
    ['connection.reconnect', { connection: { reconnect: 3 as never } }],
  ])('rejects a bad %s with WarrenConfigurationError', (name, options) => {
    expect(() => resolveOptions(options, {})).toThrow(WarrenConfigurationError);
    expect(() => resolveOptions(options, {})).toThrow(name);
  });

  it('copies rpc.allowedReplyTo (names and RegExps), empty by default', () => {
    expect(resolveOptions({}, {}).rpcAllowedReplyTo).toEqual([]);
    const pattern = /^rpc\.replies\./i;
    const resolved = resolveOptions({ rpc: { allowedReplyTo: ['replies', pattern] } }, {}).rpcAllowedReplyTo;
    expect(resolved).toEqual(['replies', pattern]);
    expect(resolved[1]).not.toBe(pattern);
  });

  it.each<[string, unknown]>([
    ['not an array', 'replies'],
    ['an empty name', ['']],
    ['a name longer than 255 bytes', ['q'.repeat(256)]],
    ['a number', [5]],
    ['a global RegExp', [/replies/g]],
    ['a sticky RegExp', [/replies/y]],
  ])('rejects rpc.allowedReplyTo with %s', (_, allowedReplyTo) => {
    const options = { rpc: { allowedReplyTo } } as WarrenModuleOptions;
    expect(() => resolveOptions(options, {})).toThrow(WarrenConfigurationError);
    expect(() => resolveOptions(options, {})).toThrow('rpc.allowedReplyTo');
  });

  it('requires every exchange to have a name', () => {
    expect(() => resolveOptions({ exchanges: [{ name: '' }] }, {})).toThrow(WarrenConfigurationError);
  });

  it('takes a redact function and refuses anything else', () => {
    const redact = (text: string) => text;
    expect(resolveOptions({ redact }, {}).redact).toBe(redact);
    expect(resolveOptions({}, {}).redact).toBeUndefined();
    expect(() => resolveOptions({ redact: 'tok_' as unknown as (text: string) => string }, {})).toThrow(WarrenConfigurationError);
    expect(() => resolveOptions({ redact: 'tok_' as unknown as (text: string) => string }, {})).toThrow('redact');
  });

  it('takes heartbeatSeconds 0 (off, in amqplib 2.x) or a whole number; refuses the rest', () => {
    expect(resolveOptions({ connection: { heartbeatSeconds: 0 } }, {}).connection.heartbeatSeconds).toBe(0);
    for (const heartbeatSeconds of [-1, 1.5, NaN]) {
      expect(() => resolveOptions({ connection: { heartbeatSeconds } }, {})).toThrow(/connection\.heartbeatSeconds must be a whole number >= 0/);
    }
  });

  it("handlerFormat is 'warren' unless 'golevelup' is asked for; a connector must be a function", () => {
    expect(resolveOptions({}, {}).handling.format).toBe('warren');
    expect(resolveOptions({ handlerFormat: 'golevelup' }, {}).handling.format).toBe('golevelup');
    expect(() => resolveOptions({ handlerFormat: 'json' as never }, {})).toThrow(WarrenConfigurationError);
    expect(resolveOptions({}, {}).connector).toBeUndefined();
    expect(() => resolveOptions({ connector: 'golevelup' as never }, {})).toThrow(/connector must be a function/);
  });
});
