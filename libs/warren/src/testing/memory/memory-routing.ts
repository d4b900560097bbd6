/** How the in-memory broker's exchanges match a message to their bindings, as RabbitMQ does. */

export type ExchangeType = 'direct' | 'topic' | 'fanout' | 'headers';

export interface Binding {
  /** A queue's name, or an exchange's for exchange-to-exchange bindings. */
  destination: string;
  toExchange: boolean;
  key: string;
  args: Record<string, unknown>;
}

/** Topic match: words split by '.', `*` is exactly one word, `#` zero or more. */
function topicMatches(pattern: string, key: string): boolean {
  return matchWords(pattern.split('.'), 0, key.split('.'), 0);
}

function matchWords(pattern: string[], p: number, words: string[], w: number): boolean {
  if (p === pattern.length) return w === words.length;
  const word = pattern[p];
  if (word === '#') {
    for (let skip = w; skip <= words.length; skip++) if (matchWords(pattern, p + 1, words, skip)) return true;
    return false;
  }
  if (w === words.length) return false;
  return (word === '*' || word === words[w]) && matchWords(pattern, p + 1, words, w + 1);
}

/** Headers exchange: `x-match` 'all' (default) or 'any' over the binding's other arguments (`x-` ones ignored). */
function headersMatch(args: Record<string, unknown>, headers: Record<string, unknown> | undefined): boolean {
  const mode = args['x-match'] === 'any' || args['x-match'] === 'any-with-x' ? 'any' : 'all';
  const wanted = Object.entries(args).filter(([name]) => !name.startsWith('x-'));
  if (wanted.length === 0) return mode === 'all';
  const matches = (name: string, value: unknown) => headers !== undefined && name in headers && (value === undefined || headers[name] === value);
  return mode === 'all' ? wanted.every(([n, v]) => matches(n, v)) : wanted.some(([n, v]) => matches(n, v));
}

export function bindingMatches(type: ExchangeType, binding: Binding, routingKey: string, headers: Record<string, unknown> | undefined): boolean {
  switch (type) {
    case 'fanout':
      return true;
    case 'direct':
      return binding.key === routingKey;
    case 'topic':
      return topicMatches(binding.key, routingKey);
    case 'headers':
      return headersMatch(binding.args, headers);
  }
}
