/**
 * Helpers for jobs that try Warren the way a user gets it: pack the library into a tarball, lay out
 * a fresh app beside it, install with a plain `npm install`, compile with the app's own tsc.
 * Used by scripts/clean-install/run.js and scripts/snippets/run.js.
 */
const { execFileSync, spawnSync } = require('child_process');
const fs = require('fs');
const path = require('path');

const ROOT = path.join(__dirname, '..', '..');

/** A logger that prefixes every line with the job's name. */
function sayer(job) {
  return (line) => process.stdout.write(`[${job}] ${line}\n`);
}

/**
 * `npm <args>` in `cwd`, failing loudly with npm's output. Returns how many "ERESOLVE overriding peer
 * dependency" warnings npm printed.
 */
function npm(args, cwd, say) {
  say(`npm ${args.join(' ')}`);
  const result = spawnSync('npm', [...args, '--no-audit', '--no-fund'], { cwd, encoding: 'utf8', timeout: 600_000 });
  if (result.status !== 0) {
    process.stdout.write(result.stdout + result.stderr);
    throw new Error(`npm ${args.join(' ')} failed (exit ${result.status})`);
  }
  return (result.stderr.match(/ERESOLVE overriding peer dependency/g) || []).length;
}

/** Packs libs/warren into `dir` (its prepack script builds it afresh); returns the tarball's file name. */
function packWarren(dir) {
  return execFileSync('npm', ['pack', '--pack-destination', dir, '--loglevel=warn'], { cwd: path.join(ROOT, 'libs', 'warren'), encoding: 'utf8' })
    .trim()
    .split('\n')
    .pop();
}

function writeJson(file, value) {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, `${JSON.stringify(value, null, 2)}\n`);
}

/** The app's own TypeScript over its tsconfig.json, run in `dir` (paths in errors are relative to it); returns { ok, output }. */
function tsc(dir, args = []) {
  const result = spawnSync(process.execPath, [path.join(dir, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', dir, ...args], { cwd: dir, encoding: 'utf8', timeout: 300_000 });
  return { ok: result.status === 0, output: result.stdout + result.stderr };
}

/** `require('<pkg>/package.json').version` as the app resolves it. */
function installedVersions(dir, packages) {
  const script = `JSON.stringify(Object.fromEntries(${JSON.stringify(packages)}.map((p) => [p, require(p + '/package.json').version])))`;
  return JSON.parse(execFileSync('node', ['-p', script], { cwd: dir, encoding: 'utf8' }));
}

module.exports = { ROOT, sayer, npm, packWarren, writeJson, tsc, installedVersions };
