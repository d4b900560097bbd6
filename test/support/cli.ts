import { spawn } from 'child_process';
import { join } from 'path';

/** The built CLI (`npm run build`). */
const CLI = join(__dirname, '..', '..', 'libs', 'warren', 'dist', 'cli', 'main.js');

export interface Run {
  code: number | null;
  out: string;
  err: string;
}

export interface RunOptions {
  /** Replaces these variables of the test's environment (undefined removes one). */
  env?: Record<string, string | undefined>;
  /** Node options placed before the CLI script (e.g. `--require` a probe). */
  nodeArgs?: string[];
  /** Called for each stdout line; `kill` ends the CLI with SIGKILL. */
  onLine?: (line: string, kill: () => void) => void;
  timeoutMs?: number;
}

/** Runs `warren …` as a user would (a child process); every run is bounded in time. */
export function warren(args: string[], options: RunOptions = {}): Promise<Run> {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const [name, value] of Object.entries(options.env ?? {})) {
    if (value === undefined) delete env[name];
    else env[name] = value;
  }
  const timeoutMs = options.timeoutMs ?? 30_000;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...(options.nodeArgs ?? []), CLI, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`warren ${args.join(' ')} ran over ${timeoutMs} ms:\n${out}\n${err}`));
    }, timeoutMs);
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (options.onLine) for (const line of chunk.toString().split('\n')) if (line) options.onLine(line, () => child.kill('SIGKILL'));
    });
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, out, err });
    });
  });
}

/** The non-empty lines of a stream's text. */
export function linesOf(text: string): string[] {
  return text.split('\n').filter((line) => line.length > 0);
}
