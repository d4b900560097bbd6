import type { Readable } from 'stream';

/** Calls `onLine` for each complete line a child process writes to `stream` (a partial line waits for its end). */
export function onLines(stream: Readable, onLine: (line: string) => void): void {
  let buffer = '';
  stream.on('data', (chunk: Buffer) => {
    buffer += chunk.toString();
    const lines = buffer.split('\n');
    buffer = lines.pop()!;
    for (const line of lines) onLine(line);
  });
}
