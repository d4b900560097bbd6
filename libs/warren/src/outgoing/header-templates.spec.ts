import { HeaderTemplates, MAX_HEADER_SHAPES } from './header-templates';

type Headers = Record<string, unknown> | undefined;

/** What `publish` was handed, and a copy of its contents at that moment. */
function lend(templates: HeaderTemplates, headers: Headers): { lent: Headers; seen: Headers } {
  let lent: Headers;
  let seen: Headers;
  templates.lend(headers, (given) => {
    lent = given;
    seen = given === undefined ? undefined : { ...given };
  });
  return { lent, seen };
}

describe('HeaderTemplates', () => {
  it('lends one object per shape, filled with the values of the headers given, and empties it afterwards', () => {
    const templates = new HeaderTemplates();
    const first = { 'x-tenant': 'a', 'warren-deadline': 1 };
    const { lent, seen } = lend(templates, first);
    expect(lent).not.toBe(first);
    expect(seen).toEqual(first);
    expect(Object.values(lent!).every((value) => value === undefined)).toBe(true);

    const second = { 'x-tenant': 'b', 'warren-deadline': 2 };
    const again = lend(templates, second);
    expect(again.lent).toBe(lent); // same names in the same order: the same template
    expect(again.seen).toEqual(second);
  });

  it('empties the template when the publish throws', () => {
    const templates = new HeaderTemplates();
    let lent: Headers;
    expect(() =>
      templates.lend({ a: 1 }, (given) => {
        lent = given;
        throw new Error('encoding failed');
      }),
    ).toThrow('encoding failed');
    expect(lent).toEqual({ a: undefined });
    expect(lend(templates, { a: 2 }).lent).toBe(lent); // and lends it again
  });

  it('returns what the publish returns', () => {
    expect(new HeaderTemplates().lend({ a: 1 }, () => false)).toBe(false);
  });

  it('never changes the headers it is given', () => {
    const templates = new HeaderTemplates();
    const headers = Object.freeze({ a: 1, nested: Object.freeze({ b: [1, 2] }) });
    lend(templates, headers);
    expect(headers).toEqual({ a: 1, nested: { b: [1, 2] } });
  });

  it('keeps shapes apart: other names or another order get another template', () => {
    const templates = new HeaderTemplates();
    const lentFor = (headers: Record<string, unknown>) => {
      const { lent } = lend(templates, headers);
      expect(lent).not.toBe(headers);
      return lent;
    };
    const ab = lentFor({ a: 1, b: 2 });
    const ba = lentFor({ b: 2, a: 1 });
    const abc = lentFor({ a: 1, b: 2, c: 3 });
    expect(new Set([ab, ba, abc]).size).toBe(3);
    expect(lentFor({ a: 5, b: 6 })).toBe(ab);
    expect(Object.keys(ba!)).toEqual(['b', 'a']); // the order amqplib will encode
  });

  it(`passes headers through past ${MAX_HEADER_SHAPES} shapes (names that vary per message) and when there are none`, () => {
    const templates = new HeaderTemplates();
    for (let i = 0; i < MAX_HEADER_SHAPES; i++) {
      const headers = { [`x-key-${i}`]: i };
      expect(lend(templates, headers).lent).not.toBe(headers);
    }
    const more = { 'x-key-new': 1 };
    expect(lend(templates, more).lent).toBe(more);
    expect(more).toEqual({ 'x-key-new': 1 }); // a pass-through is never emptied
    expect(lend(templates, undefined).lent).toBeUndefined();
  });

  it("passes through headers named '__proto__' rather than setting a template's prototype", () => {
    const templates = new HeaderTemplates();
    const headers = JSON.parse('{"__proto__": {"polluted": true}, "a": 1}') as Record<string, unknown>;
    expect(lend(templates, headers).lent).toBe(headers);
    expect(({} as { polluted?: boolean }).polluted).toBeUndefined();
  });

  it('lends nothing while a template is out: a publish nested in a publish (an instrumentation hook) keeps its own headers', () => {
    const templates = new HeaderTemplates();
    const outer = { a: 1 };
    const inner = { a: 2 };
    let outerSeen: Headers;
    let nested: Headers;
    let outerLent: Headers;
    templates.lend(outer, (lent) => {
      outerLent = lent;
      nested = lend(templates, inner).lent;
      outerSeen = { ...lent };
    });
    expect(nested).toBe(inner); // passed through, so the outer template keeps a: 1
    expect(outerSeen).toEqual({ a: 1 });
    expect(lend(templates, { a: 3 }).lent).toBe(outerLent); // lent again once the outer publish is done
  });
});
