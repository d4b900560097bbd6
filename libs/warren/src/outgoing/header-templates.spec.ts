import { HeaderTemplates, MAX_HEADER_SHAPES } from './header-templates';

describe('HeaderTemplates', () => {
  it('lends one object per shape, filled with the values of the headers given, and empties it on release', () => {
    const templates = new HeaderTemplates();
    const first = { 'x-tenant': 'a', 'warren-deadline': 1 };
    const lent = templates.borrow(first)!;
    expect(lent).not.toBe(first);
    expect({ ...lent }).toEqual(first);
    templates.release(lent, first);
    expect(Object.values(lent).every((value) => value === undefined)).toBe(true);

    const second = { 'x-tenant': 'b', 'warren-deadline': 2 };
    const again = templates.borrow(second)!;
    expect(again).toBe(lent); // same names in the same order: the same template
    expect({ ...again }).toEqual(second);
    templates.release(again, second);
  });

  it('never changes the headers it is given', () => {
    const templates = new HeaderTemplates();
    const headers = Object.freeze({ a: 1, nested: Object.freeze({ b: [1, 2] }) });
    const lent = templates.borrow(headers);
    templates.release(lent, headers);
    expect(headers).toEqual({ a: 1, nested: { b: [1, 2] } });
  });

  it('keeps shapes apart: other names or another order get another template', () => {
    const templates = new HeaderTemplates();
    const lend = (headers: Record<string, unknown>) => {
      const lent = templates.borrow(headers);
      expect(lent).not.toBe(headers);
      templates.release(lent, headers);
      return lent;
    };
    const ab = lend({ a: 1, b: 2 });
    const ba = lend({ b: 2, a: 1 });
    const abc = lend({ a: 1, b: 2, c: 3 });
    expect(new Set([ab, ba, abc]).size).toBe(3);
    expect(lend({ a: 5, b: 6 })).toBe(ab);
    expect(Object.keys(ba!)).toEqual(['b', 'a']); // the order amqplib will encode
  });

  it(`passes headers through past ${MAX_HEADER_SHAPES} shapes (names that vary per message) and when there are none`, () => {
    const templates = new HeaderTemplates();
    for (let i = 0; i < MAX_HEADER_SHAPES; i++) {
      const headers = { [`x-key-${i}`]: i };
      const lent = templates.borrow(headers);
      expect(lent).not.toBe(headers);
      templates.release(lent, headers);
    }
    const more = { 'x-key-new': 1 };
    const lent = templates.borrow(more);
    expect(lent).toBe(more);
    templates.release(lent, more); // a pass-through is never emptied
    expect(more).toEqual({ 'x-key-new': 1 });
    expect(templates.borrow(undefined)).toBeUndefined();
  });

  it("passes through headers named '__proto__' rather than setting a template's prototype", () => {
    const templates = new HeaderTemplates();
    const headers = JSON.parse('{"__proto__": {"polluted": true}, "a": 1}') as Record<string, unknown>;
    const lent = templates.borrow(headers);
    expect(lent).toBe(headers);
    expect(({} as { polluted?: boolean }).polluted).toBeUndefined();
  });

  it('lends nothing while a template is out: a publish nested in a publish (an instrumentation hook) keeps its own headers', () => {
    const templates = new HeaderTemplates();
    const outer = { a: 1 };
    const lent = templates.borrow(outer)!;
    const inner = { a: 2 };
    const nested = templates.borrow(inner);
    expect(nested).toBe(inner); // passed through, so the outer template keeps a: 1
    templates.release(nested, inner);
    expect(lent.a).toBe(1);
    templates.release(lent, outer);
    expect(templates.borrow({ a: 3 })).toBe(lent); // lent again once released
  });
});
