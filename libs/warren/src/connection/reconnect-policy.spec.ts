import { EventEmitter } from 'events';
import type { AmqpConnectionManager } from 'amqp-connection-manager';
import { RECONNECT_JITTER, followReconnectPolicy, reconnectDelay, type ReconnectSettings } from './reconnect-policy';

const backoff: ReconnectSettings = { delayMs: 100, backoff: true, maxDelayMs: 1_000, maxAttempts: 4 };

describe('reconnectDelay', () => {
  it('doubles from reconnectDelayMs and stops at maxDelayMs (no jitter drawn)', () => {
    const none = () => 0;
    expect([0, 1, 2, 3, 4, 5, 60].map((attempt) => reconnectDelay(backoff, attempt, none))).toEqual([100, 200, 400, 800, 1_000, 1_000, 1_000]);
  });

  it('takes at most a quarter off at random, never adding to it', () => {
    for (let attempt = 0; attempt < 8; attempt++) {
      const nominal = Math.min(1_000, 100 * 2 ** attempt);
      for (let i = 0; i < 200; i++) {
        const delay = reconnectDelay(backoff, attempt);
        expect(delay).toBeGreaterThanOrEqual(Math.floor(nominal * (1 - RECONNECT_JITTER)));
        expect(delay).toBeLessThanOrEqual(nominal);
      }
    }
    expect(reconnectDelay(backoff, 3, () => 0.999_999)).toBe(600);
  });

  it('spreads clients out: the same attempt gets different pauses', () => {
    const delays = new Set(Array.from({ length: 50 }, () => reconnectDelay(backoff, 3)));
    expect(delays.size).toBeGreaterThan(10);
  });

  it('without connection.reconnect: the fixed pause of before', () => {
    const fixed: ReconnectSettings = { delayMs: 300, backoff: false, maxDelayMs: 300 };
    expect([0, 1, 9].map((attempt) => reconnectDelay(fixed, attempt))).toEqual([300, 300, 300]);
  });
});

/** amqp-connection-manager's events and the pause it reads after them. */
class Manager extends EventEmitter {
  reconnectTimeInSeconds = 0.1;
  closed = 0;
  close() {
    this.closed += 1;
    return Promise.resolve();
  }
}

describe('followReconnectPolicy', () => {
  const follow = (settings: ReconnectSettings) => {
    const manager = new Manager();
    const failed: Array<[number, number | undefined]> = [];
    const gaveUp: number[] = [];
    const detach = followReconnectPolicy(manager as unknown as AmqpConnectionManager, settings, {
      failed: (attempt, _reason, next) => failed.push([attempt, next]),
      gaveUp: (attempts) => gaveUp.push(attempts),
    });
    return { manager, failed, gaveUp, detach };
  };
  const fail = (manager: Manager) => manager.emit('connectFailed', { err: new Error('connect ECONNREFUSED') });

  it('sets the pause the manager waits next, and gives up (closing it) after maxAttempts failures in a row', async () => {
    const { manager, failed, gaveUp } = follow(backoff);
    manager.emit('disconnect', { err: new Error('lost') });
    expect(manager.reconnectTimeInSeconds).toBeLessThanOrEqual(0.1);
    for (let i = 0; i < 3; i++) fail(manager);
    expect(manager.reconnectTimeInSeconds).toBeGreaterThanOrEqual(0.6);
    fail(manager);
    fail(manager); // after giving up: ignored
    expect(failed.map(([attempt, next]) => [attempt, next === undefined])).toEqual([
      [1, false],
      [2, false],
      [3, false],
      [4, true],
    ]);
    await new Promise((resolve) => setImmediate(resolve));
    expect(gaveUp).toEqual([4]);
    expect(manager.closed).toBe(1);
  });

  it('a successful connect starts the count again', async () => {
    const { manager, gaveUp } = follow(backoff);
    for (let round = 0; round < 3; round++) {
      manager.emit('disconnect', {});
      for (let i = 0; i < 3; i++) fail(manager);
      manager.emit('connect', {});
    }
    await new Promise((resolve) => setImmediate(resolve));
    expect(gaveUp).toEqual([]);
  });

  it('never gives up without maxAttempts; detaching stops it', () => {
    const { manager, failed, detach } = follow({ ...backoff, maxAttempts: undefined });
    for (let i = 0; i < 100; i++) fail(manager);
    expect(failed.every(([, next]) => next !== undefined)).toBe(true);
    detach();
    fail(manager);
    expect(failed).toHaveLength(100);
    expect(manager.closed).toBe(0);
  });
});
