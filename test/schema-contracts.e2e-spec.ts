import { Injectable } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { IsInt } from 'class-validator';
import * as v from 'valibot';
import { z } from 'zod';
import {
  Component,
  ComponentClient,
  ComponentMethod,
  ComponentRegistry,
  ComponentsModule,
  InvalidMessageError,
  InvalidReplyError,
  MessageProducer,
  RabbitPayload,
  RabbitRPC,
  RabbitSubscribe,
  RemoteError,
  RpcClient,
  WarrenConfigurationError,
  WarrenModule,
  componentQueue,
  defineEvent,
  defineRpc,
} from 'nestjs-warren';
import { closeAll, startApp } from './support/app';
import { RawClient, unique, waitFor } from './support/broker';

class QuantityDto {
  @IsInt()
  quantity!: number;
}

const rejection = <E>(promise: Promise<unknown>) => promise.then(() => undefined as E | undefined, (error: unknown) => error as E);

/** Issue 27: contracts with zod 4 / valibot 1 schemas — checked before sending, replies checked by the caller. */
describe('contracts with Standard Schemas (real broker)', () => {
  const exchange = unique('schema.contracts');
  const queue = unique('q.schema.contracts');
  const unconsumed = unique('q.schema.contracts.idle');
  // The request's input is a string date; the handler gets a Date. The response's input is a number; the caller gets a string.
  const schedule = defineRpc({
    exchange,
    routingKey: 'job.schedule',
    request: z.object({ job: z.string(), at: z.iso.datetime().transform((at) => new Date(at)) }),
    response: z.object({ slot: z.number().int() }).transform((reply) => `slot-${reply.slot}`),
  });
  const broken = defineRpc({ exchange, routingKey: 'job.broken', request: v.object({ job: v.string() }), response: v.object({ slot: v.number() }) });
  const created = defineEvent({ exchange, routingKey: 'order.created', payload: v.object({ id: v.pipe(v.string(), v.minLength(2)) }) });
  const idle = defineEvent({ exchange: '', routingKey: unconsumed, payload: z.object({ id: z.string() }) });
  const got: unknown[] = [];

  @Injectable()
  class Handlers {
    @RabbitRPC({ ...schedule, queue: `${queue}.rpc` })
    schedule(request: { job: string; at: Date }) {
      got.push(request);
      return { slot: request.at.getUTCHours() };
    }

    @RabbitRPC({ ...broken, queue: `${queue}.rpc` })
    broken() {
      return { slot: 'not a number' } as unknown as { slot: number };
    }

    @RabbitSubscribe({ ...created, queue, retry: false })
    onCreated(event: { id: string }) {
      got.push(event);
    }
  }

  const module = (onPublish: boolean) =>
    WarrenModule.forRoot({ exchanges: [{ name: exchange, type: 'topic', options: { autoDelete: true } }], validation: { onPublish }, logger: false });

  afterAll(async () => {
    const raw = await RawClient.connect();
    await raw.deleteQueues(queue, `${queue}.rpc`, unconsumed);
    await raw.close();
  });

  it('the caller sends the input, the handler gets the output; an invalid request is refused before sending', async () => {
    const app = await startApp({ imports: [module(true)], providers: [Handlers] });
    try {
      got.length = 0;
      const rpc = app.get(RpcClient);
      await expect(rpc.call(schedule, { job: 'backup', at: '2026-01-02T03:04:05Z' })).resolves.toBe('slot-3');
      expect(got).toEqual([{ job: 'backup', at: new Date('2026-01-02T03:04:05Z') }]);
      const refused = await rejection<InvalidMessageError>(rpc.call(schedule, { job: 'backup', at: 'tomorrow' }));
      expect(refused).toBeInstanceOf(InvalidMessageError);
      expect(refused?.field).toBe('payload');
      expect(refused?.details).toEqual([{ path: ['at'], message: expect.any(String) }]);
      expect(got).toHaveLength(1); // nothing was sent
    } finally {
      await closeAll(app);
    }
  });

  it('a reply that violates the response schema rejects the caller with INVALID_REPLY', async () => {
    const app = await startApp({ imports: [module(true)], providers: [Handlers] });
    try {
      const error = await rejection<InvalidReplyError>(app.get(RpcClient).call(broken, { job: 'x' }));
      expect(error).toBeInstanceOf(InvalidReplyError);
      expect(error?.code).toBe('INVALID_REPLY');
      expect(error?.details).toEqual([{ path: ['slot'], message: expect.stringContaining('Expected number') }]);
    } finally {
      await closeAll(app);
    }
  });

  it('publish validates before sending; with validation.onPublish false the consumer parks it', async () => {
    const raw = await RawClient.connect();
    await raw.channel.assertQueue(unconsumed, { durable: false });
    const strict = await startApp({ imports: [module(true)], providers: [Handlers] });
    try {
      got.length = 0;
      const producer = strict.get(MessageProducer);
      await producer.publish(idle, { id: 'kept' });
      const refused = await rejection<InvalidMessageError>(producer.publish(idle, { id: 5 as unknown as string }));
      expect(refused).toBeInstanceOf(InvalidMessageError);
      expect(refused?.field).toBe('payload');
      expect(await raw.ready(unconsumed)).toBe(1); // only the valid one reached the broker
      await producer.publish(created, { id: 'o-1' });
      await waitFor(() => got.length === 1, 'the valid event');
    } finally {
      await closeAll(strict);
    }
    const lax = await startApp({ imports: [module(false)], providers: [Handlers] });
    try {
      await lax.get(MessageProducer).publish(created, { id: 'x' }); // too short: sent anyway, parked by the subscriber
      const letters: unknown[] = [];
      await waitFor(async () => (letters.push(...(await raw.drain(`${queue}.dlq`))), letters.length === 1), 'the parked event');
      expect(got).toEqual([{ id: 'o-1' }]);
    } finally {
      await closeAll(lax);
      await raw.close();
    }
  });
});

describe('component methods with a schema (real broker)', () => {
  const name = unique('Scheduler').replace(/\./g, '_');
  const args = z.object({ minutes: z.number().int().min(1), label: z.string().default('job') });

  @Injectable()
  @Component(name)
  class Scheduler {
    @ComponentMethod({ schema: args })
    plan(input: z.output<typeof args>) {
      return `${input.label}:${input.minutes}`;
    }

    @ComponentMethod({ name: 'valibot_plan', schema: v.object({ minutes: v.number() }) })
    valibotPlan(input: { minutes: number }) {
      return input.minutes * 60;
    }
  }

  it('calls with the schema output, refuses bad arguments by path, announces the JSON Schema', async () => {
    const app = await startApp({ imports: [WarrenModule.forRoot({ logger: false }), ComponentsModule.forRoot({ heartbeatMs: 60_000 })], providers: [Scheduler] });
    try {
      const client = app.get(ComponentClient);
      await expect(client.call(name, 'plan', { minutes: 5 })).resolves.toBe('job:5');
      await expect(client.call(name, 'valibot_plan', { minutes: 2 })).resolves.toBe(120);
      const error = await rejection<RemoteError>(client.call(name, 'plan', { minutes: 0, label: 3 }));
      expect(error?.code).toBe('VALIDATION_FAILED');
      expect(error?.details).toEqual({ minutes: [expect.any(String)], label: [expect.any(String)] });
      const entry = await app.get(ComponentRegistry).waitFor(name, { timeoutMs: 5_000 });
      expect(entry.methods.find((m) => m.name === 'plan')?.schema).toMatchObject({ type: 'object', properties: { minutes: { type: 'integer' } }, required: ['minutes'] });
    } finally {
      await closeAll(app);
      const raw = await RawClient.connect();
      await raw.deleteQueues(componentQueue(name));
      await raw.close();
    }
  });
});

describe('contradictory validation is refused at start-up, naming the handler', () => {
  const queue = unique('q.schema.refused');
  const dtoContract = defineRpc<QuantityDto, number>({ exchange: '', routingKey: queue, request: QuantityDto });

  @Injectable()
  class SchemaAndDto {
    @RabbitSubscribe({ queue, schema: z.object({ quantity: z.number() }) })
    handle(dto: QuantityDto) {
      void dto;
    }
  }

  @Injectable()
  class TwoSchemas {
    @RabbitRPC({ queue, schema: z.number() })
    handle(@RabbitPayload({ schema: v.number() }) n: number) {
      return n;
    }
  }

  @Injectable()
  class ContractDtoAndSchema {
    @RabbitRPC({ ...dtoContract, queue, schema: z.object({ quantity: z.number() }) })
    handle(request: QuantityDto) {
      return request.quantity;
    }
  }

  @Injectable()
  class NotASchema {
    @RabbitSubscribe({ queue, schema: QuantityDto as never })
    handle() {}
  }

  @Injectable()
  @Component('RefusedComponent')
  class ComponentSchemaAndDto {
    @ComponentMethod({ schema: z.object({ quantity: z.number() }) })
    take(dto: QuantityDto) {
      return dto.quantity;
    }
  }

  it.each([
    ['a schema beside a DTO parameter', SchemaAndDto, 'SchemaAndDto.handle', /class-validator DTO/],
    ['a schema option beside @RabbitPayload({ schema })', TwoSchemas, 'TwoSchemas.handle', /two different schemas/],
    ["a schema beside a contract's DTO", ContractDtoAndSchema, 'ContractDtoAndSchema.handle', /class-validator DTO/],
    ['a schema that is not a Standard Schema', NotASchema, 'NotASchema.handle', /not a Standard Schema/],
  ])('%s', async (_, provider, handler, reason) => {
    const error = await rejection<Error>(startApp({ imports: [WarrenModule.forRoot({ logger: false })], providers: [provider] }));
    expect(error).toBeInstanceOf(WarrenConfigurationError);
    expect(error?.message).toContain(handler);
    expect(error?.message).toMatch(reason);
  });

  it('a component method with a schema and a DTO parameter', async () => {
    // Nest runs no shutdown hooks for an app whose init failed: close it.
    const moduleRef = await Test.createTestingModule({
      imports: [WarrenModule.forRoot({ logger: false }), ComponentsModule.forRoot({ heartbeatMs: 60_000 })],
      providers: [ComponentSchemaAndDto],
    }).compile();
    const app = moduleRef.createNestApplication({ logger: false });
    try {
      const error = await rejection<Error>(app.init());
      expect(error).toBeInstanceOf(WarrenConfigurationError);
      expect(error?.message).toContain('RefusedComponent.take');
    } finally {
      await app.close();
    }
  });
});
