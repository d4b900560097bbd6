/** `'exchange' / 'key'`, or `queue 'name'` for the default exchange; used in error texts. */
export function describeTarget(exchange: string, routingKey: string): string {
  return exchange ? `'${exchange}' / '${routingKey}'` : `queue '${routingKey}'`;
}
