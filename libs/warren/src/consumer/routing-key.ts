/**
 * AMQP topic matching: words are separated by '.', '*' matches exactly one word and '#'
 * matches zero or more. Used to pick the handler when several share one queue.
 */
export function topicMatches(pattern: string, routingKey: string): boolean {
  if (pattern === routingKey || pattern === '#') return true;
  return matchWords(pattern.split('.'), 0, routingKey.split('.'), 0);
}

function matchWords(pattern: string[], p: number, key: string[], k: number): boolean {
  while (p < pattern.length) {
    const word = pattern[p];
    if (word === '#') {
      if (p === pattern.length - 1) return true;
      for (let skip = k; skip <= key.length; skip++) {
        if (matchWords(pattern, p + 1, key, skip)) return true;
      }
      return false;
    }
    if (k >= key.length || (word !== '*' && word !== key[k])) return false;
    p++;
    k++;
  }
  return k === key.length;
}
