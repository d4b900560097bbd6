import * as errors from './index';
import { NullMessageError } from '../golevelup/golevelup-errors';

/** One instance of every error class nestjs-warren/errors exports (WarrenError itself is abstract in spirit). */
function instances(): Array<[string, { code?: unknown }]> {
  return [
    ['RpcTimeoutError', new errors.RpcTimeoutError('x', 'k', 1)],
    ['RemoteError', new errors.RemoteError({ code: 'PEER', message: 'm' })],
    ['MessageValidationError', new errors.MessageValidationError('Dto', [])],
    ['MalformedMessageError', new errors.MalformedMessageError('bad')],
    ['WarrenConfigurationError', new errors.WarrenConfigurationError('m')],
    ['BrokerConnectionError', new errors.BrokerConnectionError('m')],
    ['ConnectionLostError', new errors.ConnectionLostError('m')],
    ['WarrenClosedError', new errors.WarrenClosedError('m')],
    ['ChannelNotAvailableError', new errors.ChannelNotAvailableError()],
    ['ConnectionNotAvailableError', new errors.ConnectionNotAvailableError()],
    ['UnroutableMessageError', new errors.UnroutableMessageError('x', 'k')],
    ['BufferOverflowError', new errors.BufferOverflowError('x', 'k', 1)],
    ['MessageTooLargeError', new errors.MessageTooLargeError(2, 1)],
    ['NonRetryableError', new errors.NonRetryableError('m')],
    ['InvalidMessageError', new errors.InvalidMessageError('routingKey', 'too long')],
    ['InvalidReplyError', new errors.InvalidReplyError('m', 'x', 'k', [])],
    ['WrongBrokerError', new errors.WrongBrokerError('m', 'WRONG_BROKER')],
    ['NullMessageError', new NullMessageError()],
    ['HandlerTimeoutError', new errors.HandlerTimeoutError('h', 1)],
    ['ConnectionGaveUpError', new errors.ConnectionGaveUpError('m', 'warren', 3, 'r')],
    ['UnsupportedContentTypeError', new errors.UnsupportedContentTypeError('h', 'text/plain', ['application/json'])],
  ];
}

describe('error codes', () => {
  it('gives every Warren error class a code', () => {
    for (const [name, error] of instances()) expect([name, typeof error.code]).toEqual([name, 'string']);
  });

  it('keeps the codes the errors already had, and names the new ones', () => {
    const codes = Object.fromEntries(instances().map(([name, error]) => [name, error.code]));
    expect(codes).toMatchObject({
      BrokerConnectionError: 'BROKER_UNREACHABLE',
      ChannelNotAvailableError: 'CHANNEL_NOT_AVAILABLE',
      UnroutableMessageError: 'NO_ROUTE',
      NonRetryableError: 'NON_RETRYABLE',
      RpcTimeoutError: 'RPC_TIMEOUT',
      WarrenConfigurationError: 'INVALID_CONFIGURATION',
      ConnectionLostError: 'CONNECTION_LOST',
      WarrenClosedError: 'WARREN_CLOSED',
    });
  });

  it('lists every exported error class above', () => {
    const exported = Object.entries(errors)
      .filter(([, value]) => typeof value === 'function' && value.prototype instanceof errors.WarrenError)
      .map(([name]) => name)
      .sort();
    const covered = new Set(instances().map(([name]) => name));
    expect(exported.filter((name) => !covered.has(name))).toEqual(exported.includes('PublishError') ? ['PublishError'] : []);
  });
});
