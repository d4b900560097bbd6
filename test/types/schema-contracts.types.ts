/**
 * Type-level tests of contracts typed by Standard Schemas (zod 4, valibot 1), checked by `tsc` in
 * `npm run lint`: every `@ts-expect-error` below must be an error, every `expectTypeOf` must hold.
 */
import { Injectable } from '@nestjs/common';
import { expectTypeOf } from 'expect-type';
import * as v from 'valibot';
import { z } from 'zod';
import { IsInt } from 'class-validator';
import { EventContract, MessageProducer, RabbitRPC, RabbitSubscribe, RpcClient, RpcContract, SchemaInput, SchemaOutput, StandardSchemaV1, defineEvent, defineRpc } from 'nestjs-warren';

const request = z.object({ job: z.string(), at: z.iso.datetime().transform((at) => new Date(at)) });
const response = z.object({ slot: z.number() }).transform((reply) => `slot-${reply.slot}`);
const schedule = defineRpc({ exchange: 'jobs', routingKey: 'job.schedule', request, response });
const created = defineEvent({ exchange: 'orders', routingKey: 'order.created', payload: v.object({ id: v.string(), total: v.pipe(v.string(), v.transform(Number)) }) });

class QuantityDto {
  @IsInt() quantity!: number;
}
const dtoRpc = defineRpc({ exchange: 'stock', routingKey: 'stock.take', request: QuantityDto });
const untyped = defineEvent({ exchange: 'x', routingKey: 'y' });

// zod, valibot and a DTO class are what contracts take; the library's own schema type accepts all.
expectTypeOf(request).toMatchTypeOf<StandardSchemaV1>();
expectTypeOf(v.string()).toMatchTypeOf<StandardSchemaV1<string, string>>();
expectTypeOf<SchemaInput<typeof request>>().toEqualTypeOf<{ job: string; at: string }>();
expectTypeOf<SchemaOutput<typeof request>>().toEqualTypeOf<{ job: string; at: Date }>();

// Each side of an RPC contract is typed by its schema's input or output.
expectTypeOf(schedule).toEqualTypeOf<RpcContract<{ job: string; at: string }, string, { job: string; at: Date }, { slot: number }>>();
expectTypeOf(created).toEqualTypeOf<EventContract<{ id: string; total: string }, { id: string; total: number }>>();
expectTypeOf(dtoRpc).toEqualTypeOf<RpcContract<QuantityDto, unknown, QuantityDto, unknown>>();
expectTypeOf(untyped).toEqualTypeOf<EventContract<unknown, unknown>>();

declare const rpc: RpcClient;
declare const producer: MessageProducer;

// The caller sends the request schema's input and gets the response schema's output.
expectTypeOf(rpc.call(schedule, { job: 'backup', at: '2026-01-02T03:04:05Z' })).resolves.toEqualTypeOf<string>();
// @ts-expect-error `at` is sent as a string (the schema's input), not a Date
void rpc.call(schedule, { job: 'backup', at: new Date() });
// @ts-expect-error job is missing
void rpc.call(schedule, { at: '2026-01-02T03:04:05Z' });

// The publisher sends the payload schema's input.
expectTypeOf(producer.publish(created, { id: 'o-1', total: '12.5' })).toEqualTypeOf<Promise<void>>();
// @ts-expect-error total is a string on the wire (the schema turns it into a number)
void producer.publish(created, { id: 'o-1', total: 12.5 });
// @ts-expect-error id must be a string
void producer.publish(created, { id: 5, total: '1' });

@Injectable()
export class Handlers {
  // The handler takes the request's output and returns the response's input.
  @RabbitRPC(schedule)
  good(req: { job: string; at: Date }): { slot: number } {
    return { slot: req.at.getUTCHours() };
  }

  // @ts-expect-error the handler gets a Date (the schema's output), not the string that was sent
  @RabbitRPC(schedule)
  takesInput(req: { job: string; at: string }): { slot: number } {
    return { slot: req.at.length };
  }

  // @ts-expect-error the handler must return the response schema's input ({ slot: number }), not its output
  @RabbitRPC(schedule)
  returnsOutput(req: { job: string; at: Date }): string {
    return req.job;
  }

  @RabbitSubscribe({ ...created, queue: 'billing' })
  onCreated(event: { id: string; total: number }): void {
    void event;
  }

  // @ts-expect-error subscribers get total as a number (the output)
  @RabbitSubscribe(created)
  onCreatedAsSent(event: { id: string; total: string }): void {
    void event;
  }

  @RabbitRPC(dtoRpc)
  take(dto: QuantityDto): number {
    return dto.quantity;
  }
}
