/** Matches the user-info part of a URI: `amqp://user:secret@` → group 1 `amqp://user:`. */
const URI_CREDENTIALS = /([a-z][a-z0-9+.-]*:\/\/[^:/@\s]*:)[^@\s]*@/gi;

/** Replaces any password embedded in AMQP URIs inside `text` with `***`. */
export function redactCredentials(text: string): string {
  return text.replace(URI_CREDENTIALS, '$1***@');
}

/** A URI that is safe to print: the password (if any) replaced with `***`. */
export function safeUri(uri: string): string {
  try {
    const url = new URL(uri);
    if (url.password) url.password = '***';
    return url.toString().replace(/\/$/, '');
  } catch {
    return redactCredentials(uri);
  }
}
