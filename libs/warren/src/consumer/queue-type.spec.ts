import { WarrenConfigurationError } from '../errors/configuration.error';
import type { MessageHandlerOptions } from '../interfaces';
import type { HandlerDefinition } from './handler-definition';
import { companionArguments, kindArguments, queueKindOf } from './queue-type';
import { BrokerCapabilities } from '../connection/broker-capabilities';
import { checkQueueForBroker } from './broker-version-rules';

const handler = (name: string, options: MessageHandlerOptions = {}): HandlerDefinition => ({
  name,
  options: { type: 'subscribe', queue: 'orders', ...options },
  invoke: async () => undefined,
});
const classic = { type: 'classic' as const, deliveryLimit: 20 };
const quorum = { type: 'quorum' as const, deliveryLimit: 20 };
const rabbit = (version: string) => new BrokerCapabilities('RabbitMQ', version);

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

  it('refuses x-max-priority on a quorum queue before RabbitMQ 4.0 (naming the version), takes it from 4.0 and does not send it', () => {
    const prioritised = [handler('A.a', { queueType: 'quorum', queueOptions: { maxPriority: 10 } })];
    expect(refusal(() => queueKindOf(prioritised, 'orders', classic, rabbit('3.13.7'))).message).toContain('RabbitMQ 3.13.7');
    expect(queueKindOf(prioritised, 'orders', classic, rabbit('4.0.5'))).toMatchObject({ type: 'quorum', priorities: 2 });
    expect(queueKindOf(prioritised, 'orders', classic, rabbit('4.3.6'))).toMatchObject({ type: 'quorum', priorities: 32 });
  });

  it('takes deliveryLimit -1 (no limit) from RabbitMQ 4.0 only: 3.x would dead-letter at the first return', () => {
    const unlimited = [handler('A.a', { queueType: 'quorum', deliveryLimit: -1 })];
    const error = refusal(() => queueKindOf(unlimited, 'orders', classic, rabbit('3.10.8')));
    expect(error.message).toContain("'deliveryLimit: -1' on RabbitMQ 3.10.8");
    expect(refusal(() => queueKindOf(unlimited, 'orders', classic)).message).toContain('a broker of unknown version');
    expect(queueKindOf(unlimited, 'orders', classic, rabbit('4.0.5'))).toEqual({ type: 'quorum', deliveryLimit: -1, explicitLimit: true, unlimited: true, priorities: 2 });
  });

  it('declares what must never drop a message with x-delivery-limit -1 where the broker would apply its default of 20 (4.0+)', () => {
    const kind = queueKindOf([handler('A.a', { queueType: 'quorum' })], 'orders', classic, rabbit('4.0.5'));
    expect(companionArguments(kind)).toEqual({ 'x-queue-type': 'quorum', 'x-delivery-limit': -1 });
    expect(kindArguments(kind, false)).toEqual({ 'x-queue-type': 'quorum', 'x-delivery-limit': -1 });
    expect(kindArguments(kind, true)).toEqual({ 'x-queue-type': 'quorum', 'x-delivery-limit': 20 });
    expect(companionArguments(queueKindOf([handler('A.a', { queueType: 'quorum' })], 'orders', classic, rabbit('3.13.7')))).toEqual({ 'x-queue-type': 'quorum' });
  });

  it('refuses x-queue-version 1 on RabbitMQ 4.3 and warns of a transient non-exclusive queue from 4.0', () => {
    const v1 = [handler('A.a', { queueOptions: { arguments: { 'x-queue-version': 1 } } })];
    expect(checkQueueForBroker(v1, 'orders', rabbit('4.0.5'))).toEqual([]);
    expect(refusal(() => checkQueueForBroker(v1, 'orders', rabbit('4.3.6'))).message).toContain("'x-queue-version: 1' on RabbitMQ 4.3.6");
    const transient = [handler('A.a', { queueOptions: { durable: false } })];
    expect(checkQueueForBroker(transient, 'orders', rabbit('3.10.8'))).toEqual([]);
    expect(checkQueueForBroker(transient, 'orders', rabbit('4.3.6'))).toEqual([expect.stringContaining('deprecated on RabbitMQ 4.3.6')]);
    expect(checkQueueForBroker([handler('A.a', { queueOptions: { durable: false, exclusive: true } })], 'orders', rabbit('4.3.6'))).toEqual([]);
  });

  it("takes RabbitMQ 4.3's x-delayed-retry-* on a quorum queue, and refuses them before 4.3 (older brokers ignore them)", () => {
    const delayed = [handler('A.a', { queueType: 'quorum', queueOptions: { arguments: { 'x-delayed-retry-type': 'failed', 'x-delayed-retry-min': 100 } } })];
    expect(queueKindOf(delayed, 'orders', classic, rabbit('4.3.6')).type).toBe('quorum');
    expect(refusal(() => queueKindOf(delayed, 'orders', classic, rabbit('4.0.5'))).message).toContain("'x-delayed-retry-type' on RabbitMQ 4.0.5");
  });
});
