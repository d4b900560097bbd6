import * as golevelup from '@golevelup/nestjs-rabbitmq';
import * as root from '../index';
import * as warren from './index';
import { NullMessageError } from './golevelup-errors';
import { RpcTimeoutError } from '../errors/rpc-timeout.error';

/**
 * golevelup 9's public runtime names that `nestjs-warren/golevelup` does not export, each with why.
 * Empty today: every name golevelup's index exports has a Warren counterpart.
 */
const NOT_EXPORTED: Record<string, string> = {};

/** The names the root exported before the subpath existed: still there (deprecated), the same objects. */
const DEPRECATED_AT_ROOT = [
  'RabbitMQModule',
  'AmqpConnection',
  'AmqpConnectionManager',
  'RABBIT_CONFIG_TOKEN',
  'InjectRabbitMQConfig',
  'PRECONDITION_FAILED_CODE',
  'ackErrorHandler',
  'requeueErrorHandler',
  'defaultNackErrorHandler',
  'getHandlerForLegacyBehavior',
  'defaultAssertQueueErrorHandler',
  'forceDeleteAssertQueueErrorHandler',
];

describe('nestjs-warren/golevelup exports what @golevelup/nestjs-rabbitmq 9 exports', () => {
  const theirs = Object.keys(golevelup).filter((name) => name !== '__esModule');

  it('every runtime name of golevelup (minus the listed exceptions)', () => {
    const missing = theirs.filter((name) => !(name in warren) && !(name in NOT_EXPORTED));
    expect(missing).toEqual([]);
    expect(theirs.length).toBeGreaterThan(30); // golevelup's index really was read
  });

  it('each of the same kind: classes stay classes, functions functions, constants constants', () => {
    const kinds = (module: Record<string, unknown>) => Object.fromEntries(theirs.filter((n) => n in module).map((n) => [n, kindOf(module[n])]));
    // golevelup's metadata key is a Symbol; Warren's is its own string key, so handlers made with it are Warren's.
    expect({ ...kinds(warren as Record<string, unknown>), RABBIT_HANDLER: 'symbol' }).toEqual(kinds(golevelup as Record<string, unknown>));
    expect(typeof warren.RABBIT_HANDLER).toBe('string');
  });

  it("golevelup's constants keep their values where Warren's match them", () => {
    expect(warren.RABBIT_PARAM_TYPE).toBe(golevelup.RABBIT_PARAM_TYPE);
    expect(warren.RABBIT_HEADER_TYPE).toBe(golevelup.RABBIT_HEADER_TYPE);
    expect(warren.RABBIT_REQUEST_TYPE).toBe(golevelup.RABBIT_REQUEST_TYPE);
    expect(warren.RABBIT_CONTEXT_TYPE_KEY).toBe(golevelup.RABBIT_CONTEXT_TYPE_KEY);
    expect(warren.PRECONDITION_FAILED_CODE).toBe(golevelup.PRECONDITION_FAILED_CODE);
    expect(warren.MessageHandlerErrorBehavior).toEqual(golevelup.MessageHandlerErrorBehavior);
  });

  it("RpcTimeoutError has golevelup's `timeout` beside `timeoutMs`; the golevelup errors carry golevelup's texts", () => {
    const error = new RpcTimeoutError('x', 'rk', 250);
    expect(error.timeout).toBe(250);
    expect(error.timeoutMs).toBe(250);
    expect(new warren.ChannelNotAvailableError().message).toBe(new golevelup.ChannelNotAvailableError().message);
    expect(new warren.ConnectionNotAvailableError().message).toBe(new golevelup.ConnectionNotAvailableError().message);
    expect(new NullMessageError().message).toBe(new golevelup.NullMessageError().message);
  });

  it('resolveHandlerConfigs answers as golevelup’s for every case', () => {
    const handlers = { one: { queue: 'a' }, many: [{ queue: 'b' }, { queue: 'c' }], none: [] };
    for (const key of [undefined, '', 'one', 'many', 'none', 'absent']) {
      expect(warren.resolveHandlerConfigs(handlers, key)).toEqual(golevelup.resolveHandlerConfigs(handlers, key));
    }
  });

  it('the root still exports the golevelup API it exported before, as the same objects', () => {
    for (const name of DEPRECATED_AT_ROOT) expect((root as Record<string, unknown>)[name]).toBe((warren as Record<string, unknown>)[name]);
  });
});

function kindOf(value: unknown): string {
  if (typeof value === 'function') return /^class\b/.test(Function.prototype.toString.call(value)) ? 'class' : 'function';
  return typeof value;
}
