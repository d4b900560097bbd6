import 'reflect-metadata';
import { IsInt, Min } from 'class-validator';
import type { MethodSignature } from './component-arguments';

class AddArgs {
  @IsInt() @Min(0) a!: number;
  @IsInt() b!: number;
}

type Arguments = typeof import('./component-arguments');

function load(withGenerator: boolean): Arguments {
  let loaded: Arguments | undefined;
  jest.isolateModules(() => {
    if (!withGenerator) {
      jest.doMock('class-validator-jsonschema', () => {
        throw Object.assign(new Error("Cannot find module 'class-validator-jsonschema' from 'component-arguments.ts'"), { code: 'MODULE_NOT_FOUND' });
      });
    }
    loaded = require('./component-arguments') as Arguments; // eslint-disable-line @typescript-eslint/no-require-imports
  });
  return loaded as Arguments;
}

describe('argumentsSchema', () => {
  const dto: MethodSignature = { dto: AddArgs, params: [{ name: 'args', type: 'AddArgs' }] };
  afterEach(() => jest.dontMock('class-validator-jsonschema'));

  it("describes a DTO from its class-validator constraints when class-validator-jsonschema is installed", () => {
    const schema = load(true).argumentsSchema(dto);
    expect(schema).toMatchObject({ type: 'object', properties: { a: { type: 'integer', minimum: 0 }, b: { type: 'integer' } }, required: ['a', 'b'] });
  });

  it('says only "an object" for a DTO without the optional peer, and still binds and validates calls', async () => {
    const args = load(false);
    expect(args.argumentsSchema(dto)).toEqual({ type: 'object' });
    await expect(args.bindArguments(dto, { a: -1, b: 2 })).resolves.toEqual({ errors: { a: [expect.stringContaining('a must not be less than 0')] } });
  });

  it('describes plain parameters without any optional peer', () => {
    const schema = load(false).argumentsSchema({ params: [{ name: 'x', type: 'number' }, { name: 'y', type: 'any' }] });
    expect(schema).toEqual({ type: 'object', properties: { x: { type: 'number' }, y: {} }, required: ['x', 'y'], additionalProperties: false });
  });
});
