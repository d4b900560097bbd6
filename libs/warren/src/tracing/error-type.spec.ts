import { NoHandlerError } from '../consumer/message-dispatcher';
import {
  BrokerConnectionError,
  BufferOverflowError,
  InvalidMessageError,
  MalformedMessageError,
  MessageTooLargeError,
  MessageValidationError,
  NonRetryableError,
  PublishError,
  RemoteError,
  RpcTimeoutError,
  UnroutableMessageError,
  WarrenError,
} from '../errors';
import { WARREN_ERROR_CODES } from '../errors/error-codes';
import { ReplyNotEncodableError } from '../rpc/rpc-reply';
import { errorType } from './error-type';

describe('errorType', () => {
  it("keeps every code Warren's own errors carry (so the set cannot fall behind the classes)", () => {
    const coded = [
      new NoHandlerError('x'),
      new ReplyNotEncodableError('x'),
      new InvalidMessageError('routingKey', 'too long'),
      new MalformedMessageError('x'),
      new MessageTooLargeError(2, 1),
      new MessageValidationError('Dto', []),
      new NonRetryableError('x'),
      new BufferOverflowError('x', 'k', 1),
      new UnroutableMessageError('x', 'k'),
    ];
    for (const error of coded) {
      expect(WARREN_ERROR_CODES.has(String(error.code))).toBe(true);
      expect(errorType(error)).toBe(error.code);
    }
    expect(errorType(new PublishError('refused', 'x', 'k', { code: 'PRECONDITION_FAILED' }))).toBe('PRECONDITION_FAILED');
  });

  it('names Warren classes without a Warren code by class', () => {
    expect(errorType(new RpcTimeoutError('x', 'k', 1))).toBe('RpcTimeoutError');
    expect(errorType(new BrokerConnectionError('x'))).toBe('BrokerConnectionError');
    expect(errorType(new NonRetryableError('gone', 'ORDER_GONE'))).toBe('NonRetryableError');
    expect(errorType(new PublishError('refused', 'x', 'k', { code: '999' }))).toBe('PublishError');
  });

  it('is remote_error for any RemoteError, whatever code the peer sent', () => {
    expect(errorType(new RemoteError({ code: 'VALIDATION_FAILED', message: 'x' }))).toBe('remote_error');
    expect(errorType(new RemoteError({ code: 'ANYTHING_AT_ALL_42', message: 'x' }))).toBe('remote_error');
  });

  it("names built-in classes, and makes everything else _OTHER", () => {
    expect(errorType(new TypeError('x'))).toBe('TypeError');
    expect(errorType(new RangeError('x'))).toBe('RangeError');
    expect(errorType(Object.assign(new Error('x'), { code: 'ECONNRESET' }))).toBe('Error');
    expect(errorType(Object.assign(new Error('x'), { name: 'MyOwnError' }))).toBe('_OTHER');
    class AppError extends WarrenError {}
    expect(errorType(new AppError('x'))).toBe('_OTHER');
    for (const value of ['a string', 42, null, undefined, { code: 'X' }]) expect(errorType(value)).toBe('_OTHER');
  });
});
