import { MalformedMessageError } from '../errors/malformed-message.error';
import { undecodableHeaders } from './undecodable-headers';

function nested(depth: number, leaf: unknown = 'bottom'): Record<string, unknown> {
  let value: Record<string, unknown> = { leaf };
  for (let i = 0; i < depth; i++) value = { a: value };
  return value;
}

describe('undecodableHeaders: what a consumer parks before any handler sees it', () => {
  it('passes ordinary headers, and tables up to 64 levels deep', () => {
    expect(undecodableHeaders(undefined)).toBeUndefined();
    expect(undecodableHeaders({ 'x-tenant': 'acme', n: 1, when: new Date(), raw: Buffer.alloc(3), list: [1, { ok: true }] })).toBeUndefined();
    expect(undecodableHeaders(nested(64))).toBeUndefined(); // the innermost table is at depth 64
  });

  it("parks what Warren's frame guard marked, with the guard's reason", () => {
    const error = undecodableHeaders({ 'warren-headers-undecodable': 'header tables nested deeper than 64 levels (…)' });
    expect(error).toBeInstanceOf(MalformedMessageError);
    expect(error?.code).toBe('MALFORMED_MESSAGE');
    expect(error?.message).toBe('Message headers could not be decoded: header tables nested deeper than 64 levels (…)');
  });

  it('parks tables nested deeper than 64 levels that amqplib did decode, without overflowing on them', () => {
    expect(undecodableHeaders(nested(65))?.message).toMatch(/deeper than 64 levels/);
    let deepArray: unknown = 'x';
    for (let i = 0; i < 100; i++) deepArray = [deepArray];
    expect(undecodableHeaders({ list: deepArray })).toBeInstanceOf(MalformedMessageError);
    expect(undecodableHeaders(nested(200_000))).toBeInstanceOf(MalformedMessageError);
  });
});
