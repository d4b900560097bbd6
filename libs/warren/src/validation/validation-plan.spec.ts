import 'reflect-metadata';
import { IsInt } from 'class-validator';
import * as v from 'valibot';
import { z } from 'zod';
import type { HandlerDefinition } from '../consumer/handler-definition';
import { WarrenConfigurationError } from '../errors/configuration.error';
import { MessageValidationError } from '../errors/message-validation.error';
import { PayloadValidator } from './payload-validator';
import { MAX_ISSUES, toIssues } from './schema-check';
import { validationPlan } from './validation-plan';

class QuantityDto {
  @IsInt()
  quantity!: number;
}
class PlainType {
  quantity!: number;
}

const validator = new PayloadValidator({ forbidUnknownValues: true });
const handler = (extra: Partial<HandlerDefinition> & { schema?: unknown; validate?: boolean }): HandlerDefinition => {
  const { schema, validate, ...rest } = extra;
  return { name: 'Orders.take', options: { type: 'rpc', queue: 'q', schema: schema as never, validate }, invoke: async () => undefined, ...rest };
};
const failure = (run: () => unknown): Promise<MessageValidationError<never>> =>
  Promise.resolve()
    .then(run)
    .then(
      () => Promise.reject(new Error('expected a validation failure')),
      (error: MessageValidationError<never>) => error,
    );

describe('validationPlan', () => {
  it('answers a synchronous schema synchronously, with its output', () => {
    const plan = validationPlan(handler({ schema: z.object({ name: z.string().transform((s) => s.toUpperCase()) }) }), validator)!;
    expect(plan({ name: 'ada' })).toEqual({ name: 'ADA' });
    expect(() => plan({ name: 1 })).toThrow(MessageValidationError);
  });

  it('awaits an async schema', async () => {
    const plan = validationPlan(handler({ schema: v.pipeAsync(v.string(), v.checkAsync(async (s) => s !== 'x', 'not x')) }), validator)!;
    await expect(plan('ok')).resolves.toBe('ok');
    const error = await failure(() => plan('x'));
    expect(error.details).toEqual([{ path: [], message: 'not x' }]);
    expect(error.message).toBe('Payload failed validation for the valibot schema of Orders.take: not x');
  });

  it('prefers a schema over a plain class parameter, refuses it beside a class-validator DTO', () => {
    expect(validationPlan(handler({ schema: z.number(), payloadType: PlainType }), validator)!(3)).toBe(3);
    expect(() => validationPlan(handler({ schema: z.number(), payloadType: QuantityDto }), validator)).toThrow(WarrenConfigurationError);
  });

  it('refuses two different schemas and what is not a Standard Schema; the same one twice is fine', () => {
    const schema = z.number();
    expect(() => validationPlan(handler({ schema, payloadSchema: v.number() }), validator)).toThrow(/two different schemas/);
    expect(() => validationPlan(handler({ schema: QuantityDto }), validator)).toThrow(/not a Standard Schema/);
    expect(validationPlan(handler({ schema, payloadSchema: schema }), validator)!(1)).toBe(1);
  });

  it('checks number, string and boolean parameters; finite numbers only', async () => {
    const number = validationPlan(handler({ payloadPrimitive: 'number' }), validator)!;
    expect(number(7)).toBe(7);
    expect((await failure(() => number('seven'))).details).toEqual([{ path: [], message: 'payload must be a finite number, got a string' }]);
    expect(validationPlan(handler({ payloadPrimitive: 'string' }), validator)!('a')).toBe('a');
    expect((await failure(() => validationPlan(handler({ payloadPrimitive: 'boolean' }), validator)!(null))).message).toContain('got null');
  });

  it('DTOs and primitive types only while the module validates; validate: false turns everything off', () => {
    expect(validationPlan(handler({ payloadPrimitive: 'number' }), undefined)).toBeUndefined();
    expect(validationPlan(handler({ payloadType: QuantityDto }), undefined)).toBeUndefined();
    expect(validationPlan(handler({ schema: z.number() }), undefined)).toBeDefined();
    expect(validationPlan(handler({ schema: z.number(), validate: false }), validator)).toBeUndefined();
  });
});

describe('toIssues', () => {
  it('turns path segments into keys and bounds the count', () => {
    const sym = Symbol('s');
    expect(toIssues([{ message: 'bad', path: ['a', 0, { key: 'b' }, sym] }])).toEqual([{ path: ['a', 0, 'b', 'Symbol(s)'], message: 'bad' }]);
    const many = toIssues(Array.from({ length: MAX_ISSUES + 5 }, (_, i) => ({ message: `m${i}`, path: [i] })));
    expect(many).toHaveLength(MAX_ISSUES + 1);
    expect(many[MAX_ISSUES]).toEqual({ path: [], message: '5 more issues left out' });
  });
});
