import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { optionalPeer } from './optional-peer';

/* eslint-disable @typescript-eslint/no-require-imports */
describe('optionalPeer', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'warren-peer-'));
    // A package that is installed but whose own dependency is missing, and one that throws on load.
    for (const [name, source] of [
      ['broken-install', "require('warren-peer-spec-missing-dependency');"],
      ['throws-on-load', "throw new Error('boom at load');"],
    ]) {
      mkdirSync(join(dir, name));
      writeFileSync(join(dir, name, 'index.js'), source);
    }
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('gives the module when the package is installed, loading it once', () => {
    const load = jest.fn(() => require('class-validator-jsonschema') as { targetConstructorToSchema: unknown });
    expect(typeof optionalPeer('class-validator-jsonschema', load)?.targetConstructorToSchema).toBe('function');
    optionalPeer('class-validator-jsonschema', load);
    expect(load).toHaveBeenCalledTimes(1);
  });

  it('gives undefined when the package is not installed, and remembers it', () => {
    const absent = ['warren-peer-spec', 'not-installed'].join('-'); // a name no package.json lists
    const load = jest.fn(() => require(absent) as object);
    expect(optionalPeer(absent, load)).toBeUndefined();
    expect(optionalPeer(absent, load)).toBeUndefined();
    expect(load).toHaveBeenCalledTimes(1);
  });

  it('throws when the package is there but one of its own dependencies is missing', () => {
    const path = join(dir, 'broken-install');
    expect(() => optionalPeer(path, () => require(path))).toThrow(expect.objectContaining({ code: 'MODULE_NOT_FOUND', message: expect.stringContaining('warren-peer-spec-missing-dependency') }));
  });

  it('throws what a package throws while loading', () => {
    const path = join(dir, 'throws-on-load');
    expect(() => optionalPeer(path, () => require(path))).toThrow('boom at load');
  });
});
