/**
 * The user amqplib authenticates as (PLAIN) when it connects to `uri`: 'guest' when the URI
 * names neither user nor password, else its user. amqplib decodes the user with `unescape`
 * after url-parse re-encodes it, so a non-ASCII name is sent as its UTF-8 bytes read as
 * Latin-1; the same is done here, so the name matches the one the broker authenticated
 * byte for byte. Undefined when `uri` is not a URL.
 */
export function uriUser(uri: string): string | undefined {
  try {
    const url = new URL(uri);
    if (!url.username && !url.password) return 'guest';
    return Buffer.from(decodeURIComponent(url.username), 'utf8').toString('latin1');
  } catch {
    return undefined;
  }
}
