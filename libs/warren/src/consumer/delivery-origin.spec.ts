import type { ConsumeMessage } from 'amqplib';
import { BOOKKEEPING_HEADERS, RetryPath } from './delivery-origin';
import { resolveRetry } from './failure-policy';
import { retriesInPlace } from './handler-policy';
import { copyProperties } from './redelivery';

const QUEUE = 'orders';

function message(exchange: string, routingKey: string, headers?: Record<string, unknown>): ConsumeMessage {
  return {
    content: Buffer.from('{}'),
    fields: { deliveryTag: 1, redelivered: false, exchange, routingKey, consumerTag: 'tag' },
    properties: { headers, messageId: 'm1' },
  } as unknown as ConsumeMessage;
}

/** What the broker puts on a message its delay queue dead-lettered back (checked against RabbitMQ 3.10). */
function death(queue: string, reason = 'expired') {
  return { count: 1, reason, queue, exchange: '', 'routing-keys': [queue], time: { '!': 'timestamp', value: 1 } };
}

const recorded = {
  'warren-original-exchange': 'shop',
  'warren-original-routing-key': 'orders.admin.purge',
  'warren-attempt': 3,
  'warren-first-failed-at': '2026-01-01T00:00:00.000Z',
};

describe('RetryPath.originOf', () => {
  const delayed = new RetryPath(QUEUE, false);
  const inPlace = new RetryPath(QUEUE, true);

  it("is the broker's own fields for a fresh delivery, headers or not (nothing allocated)", () => {
    const plain = message('shop', 'orders.created');
    expect(delayed.originOf(plain)).toBe(plain.fields);
    const forged = message('shop', 'orders.created', recorded);
    expect(delayed.originOf(forged)).toBe(forged.fields);
    expect(delayed.originOf(forged).attempt).toBeUndefined();
  });

  it('takes what Warren recorded on a delivery its delay queue dead-lettered back', () => {
    const retry = message('', QUEUE, { ...recorded, 'x-death': [death(`${QUEUE}.retry.200ms`)] });
    expect(delayed.originOf(retry)).toEqual({
      exchange: 'shop',
      routingKey: 'orders.admin.purge',
      attempt: 3,
      firstFailedAt: '2026-01-01T00:00:00.000Z',
      trusted: true,
    });
    // A backoff step the configuration no longer has still comes back.
    expect(delayed.originOf(message('', QUEUE, { ...recorded, 'x-death': [death(`${QUEUE}.retry.7ms`)] })).trusted).toBe(true);
  });

  it('falls back to the fields and attempt 1 where a retry lacks a header', () => {
    const retry = message('', QUEUE, { 'x-death': [death(`${QUEUE}.retry.100ms`)] });
    expect(delayed.originOf(retry)).toEqual({ exchange: '', routingKey: QUEUE, attempt: 1, firstFailedAt: undefined, trusted: true });
  });

  it.each([
    ['came through another exchange', message('shop', QUEUE, { ...recorded, 'x-death': [death(`${QUEUE}.retry.100ms`)] })],
    ['went to another queue name', message('', `${QUEUE}.other`, { ...recorded, 'x-death': [death(`${QUEUE}.retry.100ms`)] })],
    ['died for another reason', message('', QUEUE, { ...recorded, 'x-death': [death(`${QUEUE}.retry.100ms`, 'rejected')] })],
    ["died in another queue's delay queue", message('', QUEUE, { ...recorded, 'x-death': [death('billing.retry.100ms')] })],
    ['died in a queue that is not a delay queue', message('', QUEUE, { ...recorded, 'x-death': [death(`${QUEUE}.retry.soon`)] })],
    ['has a forged entry only below the latest', message('', QUEUE, { ...recorded, 'x-death': [death('elsewhere'), death(`${QUEUE}.retry.100ms`)] })],
    ['has no x-death and the queue retries through delay queues', message('', QUEUE, recorded)],
    ['has a malformed x-death', message('', QUEUE, { ...recorded, 'x-death': [null] })],
  ])('is not a retry when the delivery %s', (_case, delivery) => {
    expect(delayed.originOf(delivery)).toBe(delivery.fields);
  });

  it("takes a default-exchange delivery to the queue as a retry when the queue retries in place ('requeue')", () => {
    expect(inPlace.originOf(message('', QUEUE, recorded))).toMatchObject({ routingKey: 'orders.admin.purge', attempt: 3, trusted: true });
    const viaTopic = message('shop', 'orders.created', recorded);
    expect(inPlace.originOf(viaTopic)).toBe(viaTopic.fields);
    // A message another queue dead-lettered into this one is not Warren's requeue copy (those carry no x-death).
    const deadLettered = message('', QUEUE, { ...recorded, 'x-death': [death('billing', 'rejected')] });
    expect(inPlace.originOf(deadLettered)).toBe(deadLettered.fields);
  });
});

describe('retriesInPlace', () => {
  const policy = (retry: Parameters<typeof resolveRetry>[0]) => ({ retry: resolveRetry(retry, undefined) });

  it("is true for mode 'requeue' and for a zero delay, false for delay queues and no retry", () => {
    expect(retriesInPlace([policy({ mode: 'requeue' })])).toBe(true);
    expect(retriesInPlace([policy({ initialDelayMs: 0, maxDelayMs: 0 })])).toBe(true);
    expect(retriesInPlace([policy({ initialDelayMs: 100 }), policy(false)])).toBe(false);
  });
});

describe('copyProperties and the origin', () => {
  const forged = { ...recorded, 'warren-original-queue': 'x', 'warren-error': 'x', 'warren-error-code': 'x', 'warren-dead-lettered-at': 'x', 'warren-headers-dropped': 'x', tenant: 'acme' };

  it("leaves a sender's bookkeeping headers off a copy and records the true origin", () => {
    const fresh = message('shop', 'orders.created', forged);
    const headers = copyProperties(fresh, fresh.fields, { 'warren-attempt': 2 }).headers!;
    const rewritten = new Set(['warren-attempt', 'warren-original-exchange', 'warren-original-routing-key', 'warren-first-failed-at']);
    const left = [...BOOKKEEPING_HEADERS].filter((name) => !rewritten.has(name) && name in headers);
    expect(left).toEqual([]);
    expect(headers).toMatchObject({ tenant: 'acme', 'warren-attempt': 2, 'warren-original-exchange': 'shop', 'warren-original-routing-key': 'orders.created' });
    expect(headers['warren-first-failed-at']).not.toBe(recorded['warren-first-failed-at']);
  });

  it('keeps what Warren recorded on its own retry', () => {
    const retry = message('', QUEUE, { ...recorded, tenant: 'acme', 'x-death': [death(`${QUEUE}.retry.100ms`)] });
    const headers = copyProperties(retry, new RetryPath(QUEUE, false).originOf(retry), { 'warren-attempt': 4 }).headers!;
    expect(headers).toEqual({ ...recorded, tenant: 'acme', 'warren-attempt': 4 });
  });
});
