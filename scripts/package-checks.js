#!/usr/bin/env node
/**
 * `npm run check:package [-- <tarball>]`: the published package, as the registry would get it.
 * Packs libs/warren (a clean build, by its prepack) unless a tarball is given, then runs
 *   - publint --strict (package.json fields, exports, files: warnings fail too);
 *   - attw (are the types right for node10, node16 from CommonJS and from ESM, and bundlers);
 *   - npm publish --dry-run on the tarball (what would be uploaded, nothing is).
 * Exits 1 when any of them fails.
 */
const { execFileSync, spawnSync } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');

const ROOT = path.join(__dirname, '..');
const BIN = path.join(ROOT, 'node_modules', '.bin');
const say = (line) => process.stdout.write(`[package] ${line}\n`);

function step(name, command, args) {
  say(`${name}: ${path.basename(command)} ${args.join(' ')}`);
  const result = spawnSync(command, args, { cwd: ROOT, encoding: 'utf8', timeout: 300_000 });
  process.stdout.write(`${result.stdout ?? ''}${result.stderr ?? ''}`);
  if (result.status !== 0) say(`${name} FAILED (exit ${result.status ?? result.signal})`);
  return result.status === 0;
}

const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'warren-package-'));
try {
  let tarball = process.argv[2] && path.resolve(process.argv[2]);
  if (!tarball) {
    const name = execFileSync('npm', ['pack', '--pack-destination', scratch], { cwd: path.join(ROOT, 'libs', 'warren'), encoding: 'utf8' }).trim().split('\n').pop();
    tarball = path.join(scratch, name);
  }
  say(`tarball ${tarball} (${Math.round(fs.statSync(tarball).size / 1024)} KiB)`);
  const results = [
    step('publint', path.join(BIN, 'publint'), ['run', tarball, '--strict']),
    step('attw', path.join(BIN, 'attw'), [tarball, '--format', 'table-flipped']),
    step('publish --dry-run', 'npm', ['publish', tarball, '--dry-run']),
  ];
  if (results.includes(false)) process.exitCode = 1;
  else say('publint, attw and npm publish --dry-run passed');
} finally {
  fs.rmSync(scratch, { recursive: true, force: true });
}
