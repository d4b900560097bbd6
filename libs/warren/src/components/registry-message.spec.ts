import { REGISTRY_LIMITS, parseRegistryMessage } from './registry-message';

const instance = (overrides: Record<string, unknown> = {}) => ({
  component: 'IntSummator',
  instanceId: 'id-1',
  host: 'box',
  pid: 7,
  version: '1.0.0',
  methods: [{ name: 'int_sum', params: [{ name: 'a', type: 'number' }], schema: { type: 'object' } }],
  ...overrides,
});

const reason = (payload: unknown): string => {
  const parsed = parseRegistryMessage(payload);
  return 'invalid' in parsed ? parsed.invalid : 'accepted';
};

describe('parseRegistryMessage', () => {
  it('accepts what a host sends, keeping only the fields a host sends', () => {
    const parsed = parseRegistryMessage({ type: 'heartbeat', instance: { ...instance(), userId: 'guest', lastSeen: 9e15, extra: 1 } });
    expect(parsed).toEqual({ type: 'heartbeat', instance: instance() });
    expect(parseRegistryMessage({ type: 'query' })).toEqual({ type: 'query' });
    expect(parseRegistryMessage({ type: 'goodbye', instance: { instanceId: 'id-1' } })).toEqual({ type: 'goodbye', instanceId: 'id-1' });
    expect(reason({ type: 'announce', instance: instance({ host: '', version: '' }) })).toBe('accepted');
  });

  it.each([
    ['not an object', 'announce', /the message must be an object/],
    ['an array', [1], /the message must be an object/],
    ['an unknown type', { type: 'reboot', instance: instance() }, /type must be/],
    ['no instance', { type: 'announce' }, /instance must be an object/],
    ['a numeric component', { type: 'announce', instance: instance({ component: 42 }) }, /instance.component must be a string/],
    ['an empty component', { type: 'announce', instance: instance({ component: '' }) }, /instance.component/],
    ['a control character', { type: 'announce', instance: instance({ component: 'a\u0000b' }) }, /without control characters/],
    ['a component over 255 bytes', { type: 'announce', instance: instance({ component: 'é'.repeat(128) }) }, /instance.component/],
    ['a numeric instance id in a goodbye', { type: 'goodbye', instance: { instanceId: 42 } }, /instance.instanceId/],
    ['a string pid', { type: 'announce', instance: instance({ pid: '7' }) }, /instance.pid/],
    ['a negative pid', { type: 'announce', instance: instance({ pid: -1 }) }, /instance.pid/],
    ['a long host', { type: 'announce', instance: instance({ host: 'h'.repeat(256) }) }, /instance.host/],
    ['a numeric version', { type: 'announce', instance: instance({ version: 1 }) }, /instance.version/],
    ['methods not an array', { type: 'announce', instance: instance({ methods: {} }) }, /instance.methods must be an array/],
    [
      'too many methods',
      { type: 'announce', instance: instance({ methods: Array.from({ length: REGISTRY_LIMITS.methods + 1 }, (_, i) => ({ name: `m${i}`, params: [], schema: {} })) }) },
      /at most 256/,
    ],
    ['a repeated method', { type: 'announce', instance: instance({ methods: [{ name: 'm', params: [], schema: {} }, { name: 'm', params: [], schema: {} }] }) }, /repeats/],
    ['params not an array', { type: 'announce', instance: instance({ methods: [{ name: 'm', params: 'a', schema: {} }] }) }, /params must be an array/],
    ['a numeric param type', { type: 'announce', instance: instance({ methods: [{ name: 'm', params: [{ name: 'a', type: 5 }], schema: {} }] }) }, /params\[0\].type/],
    ['a schema that is an array', { type: 'announce', instance: instance({ methods: [{ name: 'm', params: [], schema: [] }] }) }, /schema must be an object/],
  ])('drops a message with %s', (_what, payload, expected) => {
    expect(reason(payload)).toMatch(expected);
  });

  it('bounds the nesting of a schema (objects and arrays)', () => {
    const nested = (depth: number): Record<string, unknown> => (depth === 1 ? { type: 'object' } : { items: [nested(depth - 1)] });
    const withSchema = (schema: unknown) => ({ type: 'announce', instance: instance({ methods: [{ name: 'm', params: [], schema }] }) });
    // Each level of nested() is an object holding an array: two levels of nesting.
    expect(reason(withSchema(nested(REGISTRY_LIMITS.schemaDepth / 2)))).toBe('accepted');
    expect(reason(withSchema(nested(REGISTRY_LIMITS.schemaDepth / 2 + 1)))).toMatch(/nests deeper than 32/);
    expect(reason(withSchema(JSON.parse(`${'{"a":'.repeat(5_000)}1${'}'.repeat(5_000)}`)))).toMatch(/nests deeper/);
  });

  it('never throws, whatever the payload', () => {
    const hostile = { type: 'announce', get instance(): never { throw new Error('boom'); } };
    expect(reason(hostile)).toBe('it could not be read');
    for (const payload of [undefined, null, 0, '', Symbol('x'), () => undefined]) expect(() => parseRegistryMessage(payload)).not.toThrow();
  });
});
