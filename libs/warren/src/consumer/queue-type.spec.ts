import { WarrenConfigurationError } from '../errors/configuration.error';
import type { MessageHandlerOptions } from '../interfaces';
import type { HandlerDefinition } from './handler-definition';
import { companionArguments, kindArguments, queueKindOf } from './queue-type';

const handler = (name: string, options: MessageHandlerOptions = {}): HandlerDefinition => ({
  name,
  options: { type: 'subscribe', queue: 'orders', ...options },
  invoke: async () => undefined,
});
const classic = { type: 'classic' as const, deliveryLimit: 20 };
const quorum = { type: 'quorum' as const, deliveryLimit: 20 };

function refusal(fn: () => unknown): WarrenConfigurationError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(WarrenConfigurationError);
    return error as WarrenConfigurationError;
  }
  throw new Error('expected a WarrenConfigurationError');
}

describe('queue type', () => {
  it('is classic by default, and the module default applies to named queues only', () => {
    expect(queueKindOf([handler('A.a')], 'orders', classic)).toEqual({ type: 'classic' });
    expect(queueKindOf([handler('A.a')], 'orders', quorum)).toEqual({ type: 'quorum', deliveryLimit: 20, explicitLimit: false });
    expect(queueKindOf([handler('A.a', { queue: undefined, exchange: 'x' })], undefined, quorum)).toEqual({ type: 'classic' });
  });

  it("takes the handler's queueType, deliveryLimit and golevelup-style arguments over the module's", () => {
    expect(queueKindOf([handler('A.a', { queueType: 'quorum', deliveryLimit: 3 })], 'orders', classic)).toEqual({ type: 'quorum', deliveryLimit: 3, explicitLimit: true });
    expect(queueKindOf([handler('A.a', { queueOptions: { arguments: { 'x-queue-type': 'quorum', 'x-delivery-limit': 7 } } })], 'orders', classic)).toEqual({
      type: 'quorum',
      deliveryLimit: 7,
      explicitLimit: true,
    });
    expect(queueKindOf([handler('A.a', { queueType: 'classic' })], 'orders', quorum)).toEqual({ type: 'classic' });
  });

  it.each([
    [{ queueOptions: { exclusive: true } }, 'exclusive'],
    [{ queueOptions: { autoDelete: true } }, 'autoDelete'],
    [{ queueOptions: { durable: false } }, 'durable'],
    [{ queueOptions: { maxPriority: 10 } }, 'x-max-priority'],
    [{ queueOptions: { arguments: { 'x-max-priority': 5 } } }, 'x-max-priority'],
    [{ queueOptions: { arguments: { 'x-queue-mode': 'lazy' } } }, 'x-queue-mode'],
    [{ queueOptions: { arguments: { 'x-overflow': 'reject-publish-dlx' } } }, 'x-overflow'],
    [{ deliveryLimit: 0 }, 'deliveryLimit'],
  ] as Array<[MessageHandlerOptions, string]>)('refuses %j on a quorum queue, naming %s', (options, option) => {
    const error = refusal(() => queueKindOf([handler('Orders.handle', { queueType: 'quorum', ...options })], 'orders', classic));
    expect(error.message).toContain(`'${option}'`);
    expect(error.message).toContain('Orders.handle');
    expect(error.message).toContain("queueType: 'classic'");
  });

  it('refuses a quorum queue without a name, and an unknown type', () => {
    expect(refusal(() => queueKindOf([handler('A.a', { queue: undefined, queueType: 'quorum' })], undefined, classic)).message).toContain('needs a name');
    expect(refusal(() => queueKindOf([handler('A.a', { queueType: 'stream' as never })], 'orders', classic)).message).toContain("got 'stream'");
  });

  it('accepts what quorum queues support (TTL, length limits, single active consumer, overflow drop-head)', () => {
    const options: MessageHandlerOptions = {
      queueType: 'quorum',
      queueOptions: { messageTtl: 60_000, maxLength: 1000, arguments: { 'x-single-active-consumer': true, 'x-overflow': 'drop-head' } },
    };
    expect(queueKindOf([handler('A.a', options)], 'orders', classic).type).toBe('quorum');
  });

  it('refuses handlers on one queue that ask for different types', () => {
    const error = refusal(() => queueKindOf([handler('A.a', { queueType: 'quorum' }), handler('B.b', { queueType: 'classic' })], 'orders', classic));
    expect(error.message).toMatch(/A\.a and B\.b share queue 'orders'/);
  });

  it('declares quorum queues with their type, and the limit only where it parks or was asked for; companions get no limit', () => {
    expect(kindArguments({ type: 'quorum', deliveryLimit: 4 })).toEqual({ 'x-queue-type': 'quorum', 'x-delivery-limit': 4 });
    expect(kindArguments({ type: 'quorum', deliveryLimit: 20, explicitLimit: false }, false)).toEqual({ 'x-queue-type': 'quorum' });
    expect(kindArguments({ type: 'quorum', deliveryLimit: 5, explicitLimit: true }, false)).toEqual({ 'x-queue-type': 'quorum', 'x-delivery-limit': 5 });
    expect(kindArguments({ type: 'classic' })).toEqual({});
    expect(companionArguments({ type: 'quorum', deliveryLimit: 4 })).toEqual({ 'x-queue-type': 'quorum' });
    expect(companionArguments({ type: 'classic' })).toEqual({});
  });
});
