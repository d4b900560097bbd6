#!/usr/bin/env node
/**
 * `npm run test:install`: Warren in fresh NestJS apps, as users get it. Packs the library (or takes
 * `--tarball <file>`), then for each target creates a TypeScript app as `nest new` does — Nest 11
 * CommonJS, Nest 12 ESM, each also at the lowest versions Warren's peer ranges allow, and Nest 12
 * installed by pnpm — installs the app, then the tarball with a plain `npm install` (`pnpm add`),
 * and checks:
 *   - no peer-dependency or ERESOLVE warning while installing Warren;
 *   - `npm ls --all` exits 0 (every dependency and peer range met, at any depth);
 *   - one copy each of amqplib, class-validator and class-transformer (the app's DTO decorators and
 *     Warren must share them), and none of Warren's optional peers the app did not ask for;
 *   - the app compiles against Warren's declarations (skipLibCheck off);
 *   - a scenario against the real broker (RABBITMQ_URL): subscriber, RPC with a DTO (valid and
 *     invalid), publish, the microservices transport, the terminus health indicator, the `warren`
 *     bin, graceful close — on this machine's Node, and for Nest 12 also on Node 22 and 24 fetched
 *     from the registry (`NEST12_NODES`, default `current,22,24`).
 * `--only nest11,nest12-floor,…` (or CLEAN_INSTALL_TARGETS) picks targets; `--keep` keeps the
 * apps' folders to look into. Exits 1 on any failure.
 */
const { spawnSync } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');
const { removeLeftovers } = require('./leftovers');
const { installWarnings, peerWarnings, copiesOf } = require('./install-checks');
const { packWarren } = require('../lib/packed-app');

const NEST = ['@nestjs/common', '@nestjs/core', '@nestjs/platform-express', '@nestjs/microservices', '@nestjs/terminus'];
const nest = (spec, overrides = {}) => ({ ...Object.fromEntries(NEST.map((name) => [name, spec])), ...overrides });
// The lowest versions Warren's peer ranges allow (`^11.0.0 || ^12.0.1`, terminus `^12.0.0`,
// reflect-metadata ^0.2.0, rxjs ^7.8.0), installed exactly: the floors are tested, not assumed.
// Nest 12.0.0's core and platform-express still declared peers ^11 (and there is no
// microservices 12.0.0), so the Nest 12 floor is 12.0.1.
const FLOOR = { 'reflect-metadata': '0.2.0', rxjs: '7.8.0' };
const TARGETS = {
  nest11: { app: nest('^11'), type: 'commonjs', pm: 'npm', nodes: ['current'] },
  'nest11-floor': { app: { ...nest('11.0.0'), ...FLOOR }, exact: true, type: 'commonjs', pm: 'npm', nodes: ['current'] },
  nest12: { app: nest('^12'), type: 'module', pm: 'npm', nodes: (process.env.NEST12_NODES ?? 'current,22,24').split(',') },
  'nest12-floor': { app: { ...nest('12.0.1', { '@nestjs/terminus': '12.0.0' }), ...FLOOR }, exact: true, type: 'module', pm: 'npm', nodes: ['current'] },
  'nest12-pnpm': { app: nest('^12'), type: 'module', pm: 'pnpm', nodes: ['current'] },
};
// pnpm 11 does not run on Node 20; 10 is the line that supports every Node Warren supports.
const PNPM = ['-y', 'pnpm@10'];

let label = 'clean-install';
const say = (line) => process.stdout.write(`[${label}] ${line}\n`);

function run(command, args, cwd, timeout = 600_000) {
  say(`${command} ${args.join(' ')}`);
  const result = spawnSync(command, args, { cwd, encoding: 'utf8', timeout, env: { ...process.env, npm_config_update_notifier: 'false' } });
  return { status: result.status ?? result.signal, output: `${result.stdout ?? ''}${result.stderr ?? ''}` };
}

function mustRun(command, args, cwd, timeout) {
  const result = run(command, args, cwd, timeout);
  if (result.status !== 0) {
    process.stdout.write(result.output);
    throw new Error(`${command} ${args.join(' ')} failed (exit ${result.status})`);
  }
  return result.output;
}

function install(pm, args, dir) {
  return pm === 'pnpm' ? mustRun('npx', [...PNPM, ...args], dir) : mustRun('npm', [...args, '--no-audit', '--no-fund'], dir);
}

function pack(into) {
  return path.join(into, packWarren(into));
}

function writeApp(dir, target) {
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: `warren-${label}-app`, private: true, type: target.type }, null, 2));
  fs.writeFileSync(
    path.join(dir, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: {
        // nodenext: CommonJS output under "type": "commonjs", ESM under "type": "module".
        module: 'nodenext',
        moduleResolution: 'nodenext',
        target: 'es2023',
        experimentalDecorators: true,
        emitDecoratorMetadata: true,
        outDir: 'dist',
        rootDir: 'src',
        skipLibCheck: false,
        strictNullChecks: true,
        types: ['node'],
      },
      include: ['src'],
    }),
  );
  fs.mkdirSync(path.join(dir, 'src'));
  fs.copyFileSync(path.join(__dirname, 'scenario.ts'), path.join(dir, 'src', 'main.ts'));
  const app = { 'reflect-metadata': 'latest', rxjs: 'latest', ...target.app };
  return [...Object.entries(app).map(([name, spec]) => `${name}@${spec}`), 'class-validator', 'class-transformer', 'zod@^4', 'typescript@~5.9', '@types/node@^20'];
}

function installedVersion(dir, name) {
  return JSON.parse(fs.readFileSync(path.join(dir, 'node_modules', name, 'package.json'), 'utf8')).version;
}

function checkTree(dir, target, warren) {
  const problems = [];
  if (target.pm === 'npm') {
    // --all: a peer range that npm overrode shows only deeper down (`invalid`), and only then fails.
    const ls = run('npm', ['ls', '--all'], dir);
    const bad = ls.output.split('\n').filter((line) => /\binvalid\b|\bmissing\b|UNMET DEPENDENCY|extraneous|ERR!/.test(line));
    if (ls.status !== 0) problems.push(`npm ls --all exited ${ls.status}:\n${bad.join('\n')}`);
    else say('npm ls --all: exit 0');
    const amqplib = run('npm', ['ls', 'amqplib', '--all'], dir);
    for (const line of amqplib.output.trim().split('\n').slice(1)) say(`  ${line}`);
  }
  for (const name of ['amqplib', 'class-validator', 'class-transformer']) {
    const copies = copiesOf(dir, target.pm, name);
    say(`${name}: ${copies.length} cop${copies.length === 1 ? 'y' : 'ies'} (${copies.join(', ')})`);
    if (copies.length !== 1) problems.push(`expected one ${name}, found ${copies.length}`);
  }
  const optional = Object.keys(warren.peerDependenciesMeta ?? {}).filter((name) => warren.peerDependenciesMeta[name].optional);
  const asked = ['@nestjs/microservices', '@nestjs/terminus'];
  for (const name of optional.filter((n) => !asked.includes(n))) {
    const copies = copiesOf(dir, target.pm, name);
    if (copies.length > 0) problems.push(`optional peer ${name} was installed although the app did not ask for it (${copies.join(', ')})`);
  }
  say(`optional peers not installed, as the app did not ask for them: ${optional.filter((n) => !asked.includes(n)).join(', ')}`);
  return problems;
}

function runScenario(dir, node) {
  const runId = `${label}.${process.pid}.${node}`;
  const command = node === 'current' ? [process.execPath, []] : ['npx', ['-y', `node@${node}`]];
  const app = spawnSync(command[0], [...command[1], path.join(dir, 'dist', 'main.js')], { cwd: dir, encoding: 'utf8', timeout: 300_000, env: { ...process.env, RUN_ID: runId } });
  say(`scenario on node ${node === 'current' ? process.version : node}:`);
  process.stdout.write(app.stdout + app.stderr.split('\n').filter((l) => !/Unknown user config/.test(l)).join('\n'));
  return { runId, ok: app.status === 0, status: app.status ?? app.signal };
}

async function check(name, tarball) {
  label = name;
  const target = TARGETS[name];
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `warren-${name}-`));
  try {
    const appPackages = writeApp(dir, target);
    const exact = target.exact ? ['--save-exact'] : [];
    install(target.pm, target.pm === 'pnpm' ? ['add', ...exact, ...appPackages] : ['install', ...exact, ...appPackages], dir);
    const output = install(target.pm, target.pm === 'pnpm' ? ['add', tarball] : ['install', tarball], dir);
    const warnings = peerWarnings(output);
    for (const line of installWarnings(output)) say(`  ${line}`);
    const warren = JSON.parse(fs.readFileSync(path.join(dir, 'node_modules', 'nestjs-warren', 'package.json'), 'utf8'));
    const versions = Object.keys({ ...target.app, 'reflect-metadata': 1, rxjs: 1 }).map((name) => `${name} ${installedVersion(dir, name)}`);
    say(`nestjs-warren ${warren.version} with ${versions.join(', ')}; ${target.pm}, node ${process.version}`);
    const problems = warnings.length ? [`${warnings.length} peer/ERESOLVE warning lines installing Warren:\n  ${warnings.join('\n  ')}`] : [];
    say(`peer/ERESOLVE warnings installing Warren: ${warnings.length}`);
    problems.push(...checkTree(dir, target, warren));
    const tsc = run(process.execPath, [path.join(dir, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', dir], dir, 300_000);
    if (tsc.status !== 0) {
      problems.push(`the app does not compile against Warren:\n${tsc.output}`);
    } else {
      for (const node of target.nodes) {
        const result = runScenario(dir, node);
        await removeLeftovers(`clean-install.${result.runId}`);
        if (!result.ok) problems.push(`the scenario failed on node ${node} (exit ${result.status})`);
      }
    }
    if (problems.length) throw new Error(problems.join('\n'));
    say(`all checks passed (${name})`);
  } finally {
    if (process.argv.includes('--keep')) say(`kept ${dir}`);
    else fs.rmSync(dir, { recursive: true, force: true });
  }
}

function option(name) {
  const at = process.argv.indexOf(`--${name}`);
  return at > 0 ? process.argv[at + 1] : undefined;
}

async function main() {
  const only = (option('only') ?? process.env.CLEAN_INSTALL_TARGETS ?? Object.keys(TARGETS).join(',')).split(',');
  const unknown = only.filter((name) => !TARGETS[name]);
  if (unknown.length) throw new Error(`unknown target(s) ${unknown.join(', ')}; known: ${Object.keys(TARGETS).join(', ')}`);
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'warren-pack-'));
  const failed = [];
  try {
    const tarball = option('tarball') ? path.resolve(option('tarball')) : pack(scratch);
    say(`tarball ${tarball}`);
    for (const name of only) {
      try {
        await check(name, tarball);
      } catch (error) {
        failed.push(name);
        say(`FAILED: ${error.message}`);
      }
    }
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
  label = 'clean-install';
  say(`${only.length - failed.length} of ${only.length} targets passed${failed.length ? ` (failed: ${failed.join(", ")})` : ""}`);
  if (failed.length) process.exitCode = 1;
}

main().catch((error) => {
  say(`FAILED: ${error.message}`);
  process.exitCode = 1;
});
