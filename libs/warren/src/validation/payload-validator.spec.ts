import 'reflect-metadata';
import { Type } from 'class-transformer';
import { IsInt, IsString, ValidateNested } from 'class-validator';
import { MessageValidationError } from '../errors/message-validation.error';
import { PayloadValidator, isDtoClass } from './payload-validator';

class LineDto {
  @IsString()
  sku!: string;
}

class OrderDto {
  @IsInt()
  quantity!: number;

  @ValidateNested({ each: true })
  @Type(() => LineDto)
  lines!: LineDto[];
}

describe('PayloadValidator', () => {
  const validator = new PayloadValidator({ forbidUnknownValues: false });

  it('returns an instance of the DTO for a valid payload', async () => {
    const order = await validator.validate(OrderDto, { quantity: 2, lines: [{ sku: 'A' }] });
    expect(order).toBeInstanceOf(OrderDto);
    expect(order.lines[0]).toBeInstanceOf(LineDto);
  });

  it('lists every failed constraint, with dotted paths for nested ones', async () => {
    const error = (await validator.validate(OrderDto, { quantity: 'x', lines: [{ sku: 1 }] }).catch((e) => e)) as MessageValidationError;
    expect(error).toBeInstanceOf(MessageValidationError);
    expect(error.code).toBe('VALIDATION_FAILED');
    expect(error.details).toEqual([
      { property: 'quantity', constraints: { isInt: 'quantity must be an integer number' } },
      { property: 'lines.0.sku', constraints: { isString: 'sku must be a string' } },
    ]);
    expect(error.message).toBe('Payload failed validation for OrderDto: quantity must be an integer number; sku must be a string');
  });

  it.each([['a string'], [42], [null], [[1, 2]], [Buffer.from('{}')]])('refuses a payload that is not an object: %p', async (payload) => {
    await expect(validator.validate(OrderDto, payload)).rejects.toThrow('payload must be a JSON object matching OrderDto');
  });
});

describe('isDtoClass', () => {
  it('accepts user classes and refuses built-ins', () => {
    expect(isDtoClass(OrderDto)).toBe(true);
    for (const type of [Object, String, Number, Boolean, Array, Buffer, Promise, undefined]) expect(isDtoClass(type)).toBe(false);
  });
});

describe('DTO instances', () => {
  class Plain {
    @IsInt()
    quantity = 1;

    @IsString()
    sku!: string;
  }

  const validator = new PayloadValidator({ forbidUnknownValues: false });

  it('builds plain DTOs through their constructor (field defaults apply) without class-transformer', async () => {
    const fromPayload = await validator.validate(Plain, { sku: 'A' });
    expect(fromPayload).toBeInstanceOf(Plain);
    expect(fromPayload).toEqual(Object.assign(new Plain(), { sku: 'A', quantity: 1 }));
  });

  it('still uses class-transformer for DTOs with @Type (nested instances)', async () => {
    const order = await validator.validate(OrderDto, { quantity: 1, lines: [{ sku: 'x' }] });
    expect(order.lines[0]).toBeInstanceOf(LineDto);
  });
});

/** Finding 3 of issue 21: keys that took the instance away from its DTO class before validation. */
describe('payloads that try to leave their DTO class', () => {
  class StockDto {
    @IsString()
    sku!: string;

    @IsInt()
    quantity!: number;
  }

  class NestedStockDto extends StockDto {
    @ValidateNested()
    @Type(() => LineDto)
    line!: LineDto;
  }

  /** An own `__proto__` key, as JSON.parse makes for `"\u005f_proto__"` (the codec drops it; the DTO factory must not need it to). */
  function withOwnKey(key: string, value: unknown, rest: Record<string, unknown>): Record<string, unknown> {
    const payload: Record<string, unknown> = {};
    Object.defineProperty(payload, key, { value, enumerable: true, writable: true, configurable: true });
    return Object.assign(payload, rest);
  }

  const attack = { quantity: 'DROP TABLE', sku: 5 };

  it.each([
    ['an own __proto__ key', withOwnKey('__proto__', {}, attack)],
    ['an own constructor key', withOwnKey('constructor', {}, attack)],
    ['a constructor naming Object', withOwnKey('constructor', { name: 'Object' }, attack)],
  ])('still validates against the DTO with %s', async (_, payload) => {
    for (const validator of [new PayloadValidator({ forbidUnknownValues: false }), new PayloadValidator({ forbidUnknownValues: true })]) {
      for (const dto of [StockDto, NestedStockDto]) {
        const error = (await validator.validate(dto, payload).then(() => undefined, (e: unknown) => e)) as MessageValidationError;
        expect(error).toBeInstanceOf(MessageValidationError);
        expect(error.details.map((d) => d.property)).toEqual(expect.arrayContaining(['sku', 'quantity']));
      }
    }
  });

  it('builds a valid payload with a prototype key into a real instance, without the key', async () => {
    const stock = await new PayloadValidator({ forbidUnknownValues: true }).validate(StockDto, withOwnKey('__proto__', { x: 1 }, { sku: 'A', quantity: 1, prototype: {} }));
    expect(Object.getPrototypeOf(stock)).toBe(StockDto.prototype);
    expect(Object.prototype.hasOwnProperty.call(stock, '__proto__')).toBe(false);
    expect(stock.constructor).toBe(StockDto);
    expect(stock).toEqual(Object.assign(new StockDto(), { sku: 'A', quantity: 1, prototype: {} }));
  });
});
