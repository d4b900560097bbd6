import { InvalidMessageError } from '../errors/invalid-message.error';
import { checkPriority, checkShortString, checkTimeout, toExpiration } from './amqp-values';
import { checkTarget, publishProperties } from './publish-properties';

function refusal(action: () => unknown): InvalidMessageError {
  try {
    action();
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidMessageError);
    return error as InvalidMessageError;
  }
  throw new Error('expected an InvalidMessageError');
}

describe('AMQP value checks', () => {
  it('counts short strings in UTF-8 bytes, not characters', () => {
    expect(() => checkShortString('routingKey', 'k'.repeat(255))).not.toThrow();
    expect(refusal(() => checkShortString('routingKey', 'k'.repeat(256)))).toMatchObject({ field: 'routingKey', reason: expect.stringMatching(/256 bytes/) });
    expect(refusal(() => checkShortString('options.type', 'é'.repeat(128))).reason).toMatch(/256 bytes/);
    expect(refusal(() => checkShortString('exchange', undefined, true)).reason).toMatch(/must be a string/);
  });

  it('wants priority a whole number 0-255', () => {
    for (const ok of [undefined, 0, 255]) expect(() => checkPriority('options.priority', ok)).not.toThrow();
    for (const bad of [256, -1, 1.5, NaN, '5']) expect(refusal(() => checkPriority('options.priority', bad)).field).toBe('options.priority');
  });

  it('rounds numeric expirations up to whole milliseconds and checks strings', () => {
    expect(toExpiration('options.expiration', 1.5)).toBe('2');
    expect(toExpiration('options.expiration', 0)).toBe('0');
    expect(toExpiration('options.expiration', '60000')).toBe('60000');
    expect(toExpiration('options.expiration', 4_294_967_295)).toBe('4294967295');
    for (const bad of [-1, NaN, Infinity, 4_294_967_296, '1.5', 'soon', '-1', '']) {
      expect(refusal(() => toExpiration('options.expiration', bad)).field).toBe('options.expiration');
    }
  });

  it('rounds timeouts up and keeps them within what a Node timer can wait', () => {
    expect(checkTimeout('options.timeoutMs', 1500.5)).toBe(1501);
    for (const bad of [-1, NaN, Infinity, 2 ** 31]) expect(refusal(() => checkTimeout('options.timeoutMs', bad)).field).toBe('options.timeoutMs');
  });

  it('checks the target and every publish option', () => {
    expect(refusal(() => checkTarget('x'.repeat(256), 'k')).field).toBe('exchange');
    expect(refusal(() => checkTarget('', 42)).field).toBe('routingKey');
    for (const name of ['messageId', 'correlationId', 'type', 'replyTo', 'contentType', 'contentEncoding', 'appId', 'userId']) {
      expect(refusal(() => publishProperties({ [name]: 'x'.repeat(300) }, undefined, true)).field).toBe(`options.${name}`);
    }
    expect(refusal(() => publishProperties({ persistent: 'yes' as unknown as boolean }, undefined, true)).field).toBe('options.persistent');
    expect(publishProperties({ expiration: 1500.2, priority: 3 }, 'application/json', true)).toMatchObject({ expiration: '1501', priority: 3, mandatory: true });
  });
});
