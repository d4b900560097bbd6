import { redactText } from '../logging/redact';

/**
 * Characters a terminal acts on rather than shows: C0 controls (ESC, BEL, CR, LF, TAB…), DEL,
 * C1 controls (U+0080–U+009F, among them the one-byte CSI U+009B), and the Unicode format
 * characters that reorder or break lines (bidi overrides and isolates, line/paragraph separators).
 * A message body that held them could clear the screen, set the window title, write the
 * clipboard (OSC 52) or forge whole output lines.
 */
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;
const NAMED: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/** `text` with every control character written as an escape (`\x1b`, `\n`, `\u202e`); backslashes stay as they are. */
export function escapeControls(text: string): string {
  return text.replace(CONTROL, (char) => {
    const named = NAMED[char];
    if (named) return named;
    const code = char.charCodeAt(0);
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
  });
}

/** Text Warren did not write, ready for one line of the terminal: credentials redacted, controls escaped. */
export function printable(text: string): string {
  return escapeControls(redactText(text));
}

/** A URI cut off by a preview before its `@`: its password is hidden, as the whole URI would have had it. */
const CUT_URI_CREDENTIALS = /([a-z][a-z0-9+.-]*:\/\/[^:/@\s]*:)[^@\s]*$/i;

/**
 * The first `max` characters of a body as printable text. Only a bounded part of the body is
 * decoded; redaction runs before the cut, so a URI that straddles it is still recognised.
 */
export function preview(content: Buffer, max: number): string {
  const window = content.subarray(0, max * 4 + 4096).toString('utf8');
  let text = redactText(window);
  if (text.length > max) text = `${text.slice(0, max).replace(CUT_URI_CREDENTIALS, '$1***')}…`;
  return escapeControls(text);
}

/** A header table as one printable line (Buffers as their length, at most `max` characters). */
export function headersText(headers: Record<string, unknown>, max: number): string {
  const json = JSON.stringify(headers, (_key, value: unknown) => {
    if (typeof value === 'bigint') return value.toString();
    const buffer = value as { type?: unknown; data?: unknown } | null;
    if (buffer && buffer.type === 'Buffer' && Array.isArray(buffer.data)) return `<${buffer.data.length} bytes>`;
    return value;
  });
  const text = redactText(json ?? '{}');
  return escapeControls(text.length > max ? `${text.slice(0, max).replace(CUT_URI_CREDENTIALS, '$1***')}…` : text);
}
