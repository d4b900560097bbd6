import { INestApplication, Injectable, LoggerService } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { CallHandler, ExecutionContext, NestInterceptor, UseInterceptors } from '@nestjs/common';
import type { ConsumeMessage } from 'amqplib';
import { DeliveryOrigin, MessageProducer, Nack, RabbitOrigin, RabbitPayload, RabbitRequest, RabbitSubscribe, WarrenModule, rabbitOrigin } from 'nestjs-warren';
import { RawClient, unique, waitFor } from './support/broker';

/** Every line logged, by level; a stack is counted wherever it appears (an argument or a line of its own). */
class CapturingLogger implements LoggerService {
  readonly lines: Array<{ level: string; text: string }> = [];
  private add(level: string, args: unknown[]) {
    this.lines.push({ level, text: args.map((a) => (a instanceof Error ? (a.stack ?? a.message) : String(a))).join(' ') });
  }
  log(...args: unknown[]) {
    this.add('log', args);
  }
  error(...args: unknown[]) {
    this.add('error', args);
  }
  warn(...args: unknown[]) {
    this.add('warn', args);
  }
  debug(...args: unknown[]) {
    this.add('debug', args);
  }
  verbose(...args: unknown[]) {
    this.add('verbose', args);
  }
  about(id: string) {
    return this.lines.filter((line) => line.text.includes(id) || /\n\s+at /.test(line.text));
  }
}

const stacks = (lines: Array<{ text: string }>) => lines.filter((line) => /\n\s+at /.test(line.text)).length;

describe('the log of a failed delivery (real broker)', () => {
  const exchange = unique('failure-log');
  const queue = unique('q.failure-log');
  const nacked = unique('q.failure-log.nack');
  const attempts: Record<string, number> = {};
  const seen: Array<{ raw: string; origin: string; attempt: number; intercepted?: string }> = [];
  const origins = unique('q.failure-log.origin');

  @Injectable()
  class OriginReader implements NestInterceptor {
    intercept(context: ExecutionContext, next: CallHandler) {
      seen.push({ raw: '', origin: '', attempt: 0, intercepted: rabbitOrigin(context)?.routingKey });
      return next.handle();
    }
  }

  @Injectable()
  class Handlers {
    @RabbitSubscribe({ exchange, routingKey: 'doomed.#', queue, retry: { attempts: 3, initialDelayMs: 50 } })
    doomed(payload: { id: string }) {
      attempts[payload.id] = (attempts[payload.id] ?? 0) + 1;
      throw new Error(`handler failed for ${payload.id}`);
    }

    @RabbitSubscribe({ exchange, routingKey: 'origin.#', queue: origins, retry: { attempts: 2, initialDelayMs: 50 } })
    @UseInterceptors(OriginReader)
    origin(@RabbitPayload() _payload: unknown, @RabbitRequest() message: ConsumeMessage, @RabbitOrigin() origin: DeliveryOrigin) {
      seen.push({ raw: message.fields.routingKey, origin: origin.routingKey, attempt: origin.attempt ?? 1 });
      if (seen.length < 4) throw new Error('once more');
    }

    @RabbitSubscribe({ exchange, routingKey: 'nack', queue: nacked })
    refuse() {
      return new Nack(false);
    }
  }

  const warrenLog = new CapturingLogger();
  const nestLog = new CapturingLogger();
  let app: INestApplication;
  let raw: RawClient;

  beforeAll(async () => {
    raw = await RawClient.connect();
    const moduleRef = await Test.createTestingModule({
      imports: [WarrenModule.forRoot({ exchanges: [{ name: exchange, type: 'topic' }], logger: warrenLog })],
      providers: [Handlers],
    }).compile();
    app = moduleRef.createNestApplication({ logger: nestLog });
    await app.init();
  });

  afterAll(async () => {
    await app?.close();
    await raw.deleteQueues(queue, `${queue}.dlq`, `${queue}.retry.50ms`, `${queue}.retry.100ms`, nacked, `${nacked}.dlq`, origins, `${origins}.dlq`, `${origins}.retry.50ms`);
    await raw.deleteExchanges(exchange);
    await raw.close();
  });

  it('logs one line per attempt and one stack, at the last attempt', async () => {
    const id = unique('order');
    await app.get(MessageProducer).publish(exchange, 'doomed.order', { id });
    await waitFor(async () => (await raw.ready(`${queue}.dlq`)) === 1, 'the message parked');
    const lines = [...warrenLog.about(id), ...nestLog.about(id)];
    expect(attempts[id]).toBe(3);
    expect(lines.length).toBeLessThanOrEqual(3);
    expect(stacks(lines)).toBe(1);
    expect(lines.map((line) => line.level)).toEqual(['warn', 'warn', 'error']);
    expect(lines[0].text).toContain('attempt 1 of 3');
    expect(lines[0].text).toContain('retry in 50 ms');
    expect(lines[1].text).toContain('attempt 2 of 3');
    expect(lines[2].text).toContain(`attempt 3 of 3 (handler failed for ${id}); message parked in '${queue}.dlq'`);
    expect(/\n\s+at /.test(lines[2].text)).toBe(true);
  });

  it('logs a returned Nack once, as a warning without a stack', async () => {
    const [warrenBefore, nestBefore] = [warrenLog.lines.length, nestLog.lines.length];
    const since = () => [...warrenLog.lines.slice(warrenBefore), ...nestLog.lines.slice(nestBefore)];
    await app.get(MessageProducer).publish(exchange, 'nack', { id: unique('nack') });
    await waitFor(async () => (await raw.ready(`${nacked}.dlq`)) === 1, 'the nacked message parked');
    const lines = since().filter((line) => line.text.includes(nacked));
    expect(lines).toHaveLength(1);
    expect(lines[0].level).toBe('warn');
    expect(lines[0].text).toContain(`returned a Nack for a message on queue '${nacked}'; message parked in '${nacked}.dlq'`);
    expect(stacks(since())).toBe(0);
  });

  it('gives a retried delivery its original routing key (@RabbitOrigin, rabbitOrigin(context))', async () => {
    await app.get(MessageProducer).publish(exchange, 'origin.eu.paid', { id: unique('origin') });
    await waitFor(() => seen.length === 4, 'the retry handled');
    expect(seen).toEqual([
      { raw: '', origin: '', attempt: 0, intercepted: 'origin.eu.paid' },
      { raw: 'origin.eu.paid', origin: 'origin.eu.paid', attempt: 1 },
      { raw: '', origin: '', attempt: 0, intercepted: 'origin.eu.paid' },
      { raw: origins, origin: 'origin.eu.paid', attempt: 2 },
    ]);
  });
});
