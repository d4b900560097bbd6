import { INestApplication, Injectable } from '@nestjs/common';
import { IsInt } from 'class-validator';
import type { GetMessage } from 'amqplib';
import { MessageProducer, NonRetryableError, RabbitSubscribe, WarrenModule } from 'nestjs-warren';
import { closeAll, startApp } from './support/app';
import { RawClient, unique, waitFor } from './support/broker';

class DoomedDto {
  @IsInt()
  n!: number;

  id!: string;
  kind?: string;
}

/**
 * Retries with backoff through broker-side delay queues, and dead-letter queues with the reason.
 * Delays here are short (100–3000 ms) so the suite stays quick; the mechanism is the same.
 */
describe('retries and dead letters (real broker)', () => {
  const exchange = unique('retry');
  const flaky = unique('q.flaky');
  const doomed = unique('q.doomed');
  const mixed = unique('q.mixed');
  const requeue = unique('q.requeue');
  const anonymousDlq = unique('q.anonymous.dlq');
  const runs: Record<string, number[]> = {};
  const record = (key: string) => (runs[key] ??= []).push(Date.now());

  @Injectable()
  class Handlers {
    /** Fails twice, then succeeds. */
    @RabbitSubscribe({ exchange, routingKey: 'flaky', queue: flaky, retry: { attempts: 5, initialDelayMs: 300, multiplier: 2 } })
    onFlaky(payload: { id: string }) {
      record(payload.id);
      if (runs[payload.id].length < 3) throw new Error(`transient failure ${runs[payload.id].length}`);
    }

    /** Always fails; after 3 attempts the message is parked in `<queue>.dlq`. */
    @RabbitSubscribe({ exchange, routingKey: 'doomed.#', queue: doomed, retry: { attempts: 3, initialDelayMs: 100 } })
    onDoomed(payload: DoomedDto) {
      record(payload.id);
      if (payload.kind === 'final') throw new NonRetryableError('order does not exist', 'ORDER_MISSING');
      throw new Error('x'.repeat(3_000));
    }

    /** Two handlers on one queue with different backoffs: the short retry must not wait for the long one. */
    @RabbitSubscribe({ exchange, routingKey: 'mixed.long', queue: mixed, retry: { attempts: 2, initialDelayMs: 3_000 } })
    onLong(payload: { id: string }) {
      record(payload.id);
      if (runs[payload.id].length < 2) throw new Error('long failure');
    }

    @RabbitSubscribe({ exchange, routingKey: 'mixed.short', queue: mixed, retry: { attempts: 2, initialDelayMs: 200 } })
    onShort(payload: { id: string }) {
      record(payload.id);
      if (runs[payload.id].length < 2) throw new Error('short failure');
    }

    /** A server-named queue parks only where it is told to. */
    @RabbitSubscribe({ exchange, routingKey: 'anonymous', deadLetterQueue: anonymousDlq, retry: false })
    onAnonymous(payload: { id: string }) {
      record(payload.id);
      throw new Error('anonymous failure');
    }

    @RabbitSubscribe({ queue: requeue, retry: { attempts: 3, mode: 'requeue' } })
    onRequeue(payload: { id: string }) {
      record(payload.id);
      throw new Error('always');
    }
  }

  let app: INestApplication;
  let raw: RawClient;
  let producer: MessageProducer;

  beforeAll(async () => {
    raw = await RawClient.connect();
    app = await startApp({
      imports: [WarrenModule.forRoot({ exchanges: [{ name: exchange, options: { autoDelete: true } }] })],
      providers: [Handlers],
    });
    producer = app.get(MessageProducer);
  });

  afterAll(async () => {
    await closeAll(app);
    const delayQueues = [flaky + '.retry.300ms', flaky + '.retry.600ms', flaky + '.retry.1200ms', flaky + '.retry.2400ms'];
    await raw.deleteQueues(anonymousDlq, flaky, doomed, mixed, requeue, ...[flaky, doomed, mixed, requeue].map((q) => `${q}.dlq`), ...delayQueues);
    await raw.deleteQueues(doomed + '.retry.100ms', doomed + '.retry.200ms', mixed + '.retry.3000ms', mixed + '.retry.200ms');
    await raw.close();
  });

  async function parked(queue: string, count: number): Promise<GetMessage[]> {
    // The dead-letter queue may not exist yet (one test deletes it): count that as empty.
    await waitFor(async () => (await raw.ready(`${queue}.dlq`).catch(() => 0)) >= count, `${count} message(s) in ${queue}.dlq`);
    return raw.drain(`${queue}.dlq`);
  }

  it('runs a handler that fails twice three times, with the configured delays, then acks it', async () => {
    await producer.publish(exchange, 'flaky', { id: 'f1' });
    await waitFor(() => (runs.f1?.length ?? 0) === 3, 'third attempt', 10_000);
    const [first, second, third] = runs.f1;
    const gaps = [second - first, third - second];
    process.stdout.write(`retry delays measured: ${gaps.join(' ms, ')} ms (configured 300, 600)\n`);
    expect(gaps[0]).toBeGreaterThanOrEqual(280);
    expect(gaps[0]).toBeLessThan(300 + 1_000);
    expect(gaps[1]).toBeGreaterThanOrEqual(580);
    expect(gaps[1]).toBeLessThan(600 + 1_000);
    // Acked: nothing waits in the queue, its delay queues or its dead-letter queue.
    await waitFor(async () => (await raw.ready(flaky)) === 0, 'empty queue');
    expect(await raw.ready(`${flaky}.dlq`)).toBe(0);
    expect(await raw.ready(`${flaky}.retry.300ms`)).toBe(0);
    expect(runs.f1).toHaveLength(3);
  });

  it('parks a message that always fails in <queue>.dlq after the last attempt, body intact, with the reason', async () => {
    await producer.publish(exchange, 'doomed.eu', { id: 'd1', n: 1 }, { headers: { tenant: 'acme' }, messageId: 'msg-d1' });
    const [dead] = await parked(doomed, 1);
    expect(runs.d1).toHaveLength(3);
    expect(JSON.parse(dead.content.toString())).toEqual({ id: 'd1', n: 1 });
    const headers = dead.properties.headers!;
    expect(headers).toMatchObject({
      tenant: 'acme',
      'warren-attempt': 3,
      'warren-original-exchange': exchange,
      'warren-original-routing-key': 'doomed.eu',
      'warren-original-queue': doomed,
      'warren-error-code': 'Error',
    });
    expect((headers['warren-error'] as string).length).toBe(1_000); // truncated
    expect(Date.parse(headers['warren-first-failed-at'] as string)).toBeLessThanOrEqual(Date.parse(headers['warren-dead-lettered-at'] as string));
    expect(dead.properties.messageId).toBe('msg-d1');
  });

  it('parks a NonRetryableError and an invalid DTO at once, without retrying', async () => {
    await producer.publish(exchange, 'doomed.final', { id: 'd2', n: 2, kind: 'final' });
    await producer.publish(exchange, 'doomed.invalid', { id: 'd3', n: 'not a number' });
    const dead = await parked(doomed, 2);
    expect(runs.d2).toHaveLength(1);
    expect(runs.d3).toBeUndefined(); // validation failed before the handler
    const byId = Object.fromEntries(dead.map((m) => [JSON.parse(m.content.toString()).id, m.properties.headers!]));
    expect(byId.d2).toMatchObject({ 'warren-attempt': 1, 'warren-error-code': 'ORDER_MISSING', 'warren-error': 'order does not exist' });
    expect(byId.d3).toMatchObject({ 'warren-attempt': 1, 'warren-error-code': 'VALIDATION_FAILED' });
    expect(byId.d3['warren-error']).toContain('n must be an integer number');
  });

  it('does not hold a short retry back behind a long one (one delay queue per step)', async () => {
    await producer.publish(exchange, 'mixed.long', { id: 'long' });
    await waitFor(() => (runs.long?.length ?? 0) === 1, 'long first attempt');
    await producer.publish(exchange, 'mixed.short', { id: 'short' });
    await waitFor(() => (runs.short?.length ?? 0) === 2, 'short retry', 5_000);
    const shortGap = runs.short[1] - runs.short[0];
    expect(shortGap).toBeLessThan(1_500);
    expect(runs.long).toHaveLength(1); // the 3 s retry has not come back yet
    await waitFor(() => (runs.long?.length ?? 0) === 2, 'long retry', 8_000);
    expect(runs.long[1] - runs.long[0]).toBeGreaterThanOrEqual(2_900);
    // Routed back to the right handler on the shared queue by the original routing key.
    expect(await raw.ready(`${mixed}.dlq`)).toBe(0);
  });

  it('re-declares a dead-letter queue deleted under it and parks the message there, losing nothing', async () => {
    await raw.channel.deleteQueue(`${doomed}.dlq`);
    await producer.publish(exchange, 'doomed.final', { id: 'd4', n: 4, kind: 'final' });
    const [dead] = await parked(doomed, 1);
    expect(JSON.parse(dead.content.toString()).id).toBe('d4');
    expect(runs.d4.length).toBeGreaterThanOrEqual(2); // ran again after the copy came back
    expect(await raw.ready(doomed)).toBe(0);
  });

  it('parks a failed message of a server-named queue in the deadLetterQueue it names', async () => {
    await producer.publish(exchange, 'anonymous', { id: 'a1' });
    await waitFor(async () => (await raw.ready(anonymousDlq).catch(() => 0)) === 1, 'the parked message');
    const [dead] = await raw.drain(anonymousDlq);
    expect(JSON.parse(dead.content.toString())).toEqual({ id: 'a1' });
    expect(dead.properties.headers!['warren-error']).toBe('anonymous failure');
    expect(runs.a1).toHaveLength(1);
  });

  it("retries 'requeue' handlers at once, still bounded, then parks them", async () => {
    await producer.publish('', requeue, { id: 'r1' });
    const [dead] = await parked(requeue, 1);
    expect(runs.r1).toHaveLength(3);
    expect(dead.properties.headers!['warren-attempt']).toBe(3);
  });
});
