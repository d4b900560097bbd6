/** Matches the user-info part of a URI: `amqp://user:secret@` → group 1 `amqp://user:`. */
const URI_CREDENTIALS = /([a-z][a-z0-9+.-]*:\/\/[^:/@\s]*:)[^@\s]*@/gi;

/** Replaces any password embedded in URIs inside `text` with `***`. */
export function redactCredentials(text: string): string {
  return text.replace(URI_CREDENTIALS, '$1***@');
}

/** An application's own redaction (the module option `redact`), applied after Warren's. */
export type Redactor = (text: string) => string;

const redactors = new Set<Redactor>();

/**
 * Adds an application's redaction hook to every text Warren emits but did not write (error texts
 * in headers, replies, spans, log records, CLI output) until the returned function is called.
 */
export function addRedactor(redactor: Redactor): () => void {
  redactors.add(redactor);
  return () => redactors.delete(redactor);
}

/**
 * The one redaction for text Warren did not write: credentials in URIs, then each registered
 * hook. A hook that throws is skipped (its text is not trusted to be safe, so it is replaced).
 */
export function redactText(text: string): string {
  let out = redactCredentials(text);
  for (const redactor of redactors) {
    try {
      const next = redactor(out);
      out = typeof next === 'string' ? next : '(redacted)';
    } catch {
      out = '(redacted)';
    }
  }
  return out;
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
