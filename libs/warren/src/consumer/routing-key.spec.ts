import { topicMatches } from './routing-key';

describe('topicMatches', () => {
  it.each([
    ['order.*', 'order.created', true],
    ['order.*', 'order', false],
    ['order.*', 'order.eu.created', false],
    ['order.#', 'order', true],
    ['order.#', 'order.eu.created', true],
    ['order.#.failed', 'order.failed', true],
    ['order.#.failed', 'order.eu.payment.failed', true],
    ['order.#.failed', 'order.eu.payment.ok', false],
    ['#.failed', 'failed', true],
    ['*.*', 'a.b', true],
    ['*.*', 'a.b.c', false],
    ['#', '', true],
    ['a.#.b.#.c', 'a.x.b.y.z.c', true],
    ['a.#.b.#.c', 'a.x.y.c', false],
    ['exact.key', 'exact.key', true],
    ['exact.key', 'exact.other', false],
  ])('%s matches %s: %s', (pattern, key, expected) => {
    expect(topicMatches(pattern, key)).toBe(expected);
  });
});
