import type { ConsumeMessage } from 'amqplib';
import { rpcExpired } from './rpc-deadline';

function request(headers: Record<string, unknown>, expiration?: string): ConsumeMessage {
  return { properties: { headers, expiration }, fields: {}, content: Buffer.alloc(0) } as unknown as ConsumeMessage;
}

describe('rpcExpired', () => {
  const now = 1_700_000_000_000;

  it('reads the relative budget: expired only when none was left', () => {
    expect(rpcExpired(request({ 'warren-timeout-ms': 2_000 }, '2000'), now)).toBe(false);
    expect(rpcExpired(request({ 'warren-timeout-ms': 0 }), now)).toBe(true);
    expect(rpcExpired(request({ 'warren-timeout-ms': -5 }), now)).toBe(true);
  });

  it('ignores the absolute deadline beside a budget or an expiration (the caller clock may be behind)', () => {
    expect(rpcExpired(request({ 'warren-timeout-ms': 2_000, 'warren-deadline': now - 500 }), now)).toBe(false);
    expect(rpcExpired(request({ 'warren-deadline': now - 500 }, '2000'), now)).toBe(false);
  });

  it('compares an absolute deadline sent alone with this clock', () => {
    expect(rpcExpired(request({ 'warren-deadline': now - 1 }), now)).toBe(true);
    expect(rpcExpired(request({ 'warren-deadline': now + 1 }), now)).toBe(false);
    expect(rpcExpired(request({ 'warren-deadline': 'soon' }), now)).toBe(false);
    expect(rpcExpired(request({}), now)).toBe(false);
  });

  it('ignores a budget that is not a number', () => {
    expect(rpcExpired(request({ 'warren-timeout-ms': '0' }), now)).toBe(false);
    expect(rpcExpired(request({ 'warren-timeout-ms': Number.NaN, 'warren-deadline': now - 1 }), now)).toBe(true);
  });
});
