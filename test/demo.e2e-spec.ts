import { spawn } from 'child_process';
import { join } from 'path';

/** `npm run demo`'s scenario (after the build npm test runs): every check passes, every app stops. */
describe('sample apps demo (real broker)', () => {
  it('runs the scenario through the three apps and exits 0', async () => {
    const child = spawn(process.execPath, [join(__dirname, '..', 'scripts', 'demo.js')], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    let timer: NodeJS.Timeout | undefined;
    const code = await Promise.race([
      new Promise<number | null>((resolve) => child.on('exit', resolve)),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => {
          child.kill('SIGKILL');
          reject(new Error(`demo did not finish in 90 s:\n${output}`));
        }, 90_000);
      }),
    ]).finally(() => clearTimeout(timer));
    if (code !== 0) process.stdout.write(output);
    expect(code).toBe(0);
    expect(output).toMatch(/^28 passed, 0 failed$/m);
    expect(output).toContain('gateway stopped gracefully');
  }, 120_000);
});
