/**
 * The `warren-baseline` stack's library: Warren at another git ref (BENCH_BASELINE_REF, by default
 * main before the issue 22 work), checked out with `git worktree add` outside this tree, installed
 * with its own lock file (`npm ci`) and its libs/warren built there. Kept per commit and reused while
 * its ready mark names that commit.
 */
import { execFileSync } from 'child_process';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';

/** main before this round's publish and consumer changes (separate publishing connection, byte budgets). */
const DEFAULT_BASELINE_REF = '19da714';

export interface Baseline {
  /** As asked for (BENCH_BASELINE_REF or the default). */
  ref: string;
  sha: string;
  /** The worktree; its libs/warren/dist is what the stack loads. */
  dir: string;
}

const READY = '.bench-baseline-ready';

function run(command: string, args: string[], cwd: string, env?: NodeJS.ProcessEnv): string {
  return execFileSync(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 64 * 2 ** 20 }).toString().trim();
}

/** Which commit and directory the baseline is, without preparing anything. */
function locateBaseline(root: string): Baseline {
  const ref = process.env.BENCH_BASELINE_REF || DEFAULT_BASELINE_REF;
  const sha = run('git', ['rev-parse', '--verify', `${ref}^{commit}`], root);
  const dir = process.env.BENCH_BASELINE_DIR || join(tmpdir(), `warren-baseline-${sha.slice(0, 12)}`);
  return { ref, sha, dir };
}

function baselineReady(baseline: Baseline): boolean {
  const mark = join(baseline.dir, READY);
  return existsSync(mark) && readFileSync(mark, 'utf8').trim() === baseline.sha;
}

/** Checks out, installs and builds the baseline unless its ready mark says it is done. */
export function prepareBaseline(root: string, log: (line: string) => void = (line) => process.stderr.write(`${line}\n`)): Baseline {
  const baseline = locateBaseline(root);
  if (baselineReady(baseline)) return baseline;
  const { dir, sha } = baseline;
  if (!existsSync(join(dir, '.git'))) {
    if (existsSync(dir) && readdirSync(dir).length > 0) throw new Error(`${dir} exists and is not a git worktree: remove it or set BENCH_BASELINE_DIR`);
    log(`baseline: git worktree add ${dir} at ${sha.slice(0, 12)} (${baseline.ref})`);
    // --force: a worktree of this path deleted by hand (a cleaned /tmp) is still registered.
    run('git', ['worktree', 'add', '--force', '--detach', dir, sha], root);
  }
  const head = run('git', ['rev-parse', 'HEAD'], dir);
  if (head !== sha) throw new Error(`${dir} is at ${head}, not the baseline ${sha}: remove it or set BENCH_BASELINE_DIR`);
  // The baseline's own install: none of this run's npm settings (workspace, prefix) may leak into it.
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^npm_/i.test(key) && key !== 'INIT_CWD'));
  log(`baseline: npm ci in ${dir}`);
  run('npm', ['ci', '--no-audit', '--no-fund', '--prefer-offline'], dir, env);
  log('baseline: building libs/warren');
  run(process.execPath, [join(dir, 'node_modules', 'typescript', 'bin', 'tsc'), '-b', 'libs/warren/tsconfig.lib.json'], dir, env);
  if (!existsSync(join(dir, 'libs', 'warren', 'dist', 'index.js'))) throw new Error(`baseline build left no libs/warren/dist/index.js in ${dir}`);
  writeFileSync(join(dir, READY), `${sha}\n`);
  return baseline;
}

/** What the report calls the baseline stack. */
export function baselineName(baseline: Baseline): string {
  const short = baseline.sha.slice(0, 7);
  return baseline.ref === short || baseline.sha.startsWith(baseline.ref) ? `Warren baseline (${short})` : `Warren baseline (${baseline.ref} = ${short})`;
}
