#!/usr/bin/env node
/**
 * `npm run test:nest12`: Warren in a fresh NestJS 12 app, as a user gets it. Packs the library,
 * creates an ESM TypeScript app like `nest new` does, installs Nest 12 and the tarball with a plain
 * `npm install` (an ERESOLVE fails the job), compiles it and runs a scenario against the real
 * broker: subscriber, RPC with a DTO (valid and invalid), publish, the microservices transport,
 * the terminus health indicator, graceful close. Exits non-zero when any step or check fails.
 */
const { execFileSync, spawnSync } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');

const ROOT = path.join(__dirname, '..', '..');
const say = (line) => process.stdout.write(`[nest12] ${line}\n`);

function npm(args, cwd) {
  say(`npm ${args.join(' ')}`);
  const result = spawnSync('npm', [...args, '--no-audit', '--no-fund'], { cwd, encoding: 'utf8', timeout: 600_000 });
  if (result.status !== 0) {
    process.stdout.write(result.stdout + result.stderr);
    throw new Error(`npm ${args.join(' ')} failed (exit ${result.status})`);
  }
  const warnings = (result.stderr.match(/ERESOLVE overriding peer dependency/g) || []).length;
  if (warnings) say(`(${warnings} "ERESOLVE overriding peer dependency" warnings: golevelup 9's peer range is ^11 — see the README's NestJS 12 section)`);
}

function main() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'warren-nest12-'));
  try {
    const tarball = execFileSync('npm', ['pack', '--pack-destination', dir], { cwd: path.join(ROOT, 'libs', 'warren'), encoding: 'utf8' })
      .trim()
      .split('\n')
      .pop();
    fs.writeFileSync(
      path.join(dir, 'package.json'),
      JSON.stringify({ name: 'warren-nest12-app', private: true, type: 'module', scripts: {} }, null, 2),
    );
    fs.writeFileSync(
      path.join(dir, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          module: 'nodenext',
          moduleResolution: 'nodenext',
          target: 'es2023',
          experimentalDecorators: true,
          emitDecoratorMetadata: true,
          outDir: 'dist',
          rootDir: 'src',
          skipLibCheck: true,
          strictNullChecks: true,
        },
        include: ['src'],
      }),
    );
    fs.mkdirSync(path.join(dir, 'src'));
    fs.copyFileSync(path.join(__dirname, 'scenario.ts'), path.join(dir, 'src', 'main.ts'));
    npm(['install', '@nestjs/common@^12', '@nestjs/core@^12', '@nestjs/platform-express@^12', '@nestjs/microservices@^12', '@nestjs/terminus@^12', 'reflect-metadata', 'rxjs', 'class-validator', 'class-transformer', 'typescript@~5.9', '@types/node@^20'], dir);
    npm(['install', `./${tarball}`], dir);
    const versions = JSON.parse(execFileSync('node', ['-p', "JSON.stringify({ core: require('@nestjs/core/package.json').version, warren: require('nestjs-warren/package.json').version })"], { cwd: dir, encoding: 'utf8' }));
    say(`@nestjs/core ${versions.core}, nestjs-warren ${versions.warren}, node ${process.version}`);
    say('tsc');
    const tsc = spawnSync(process.execPath, [path.join(dir, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', dir], { encoding: 'utf8', timeout: 300_000 });
    if (tsc.status !== 0) {
      process.stdout.write(tsc.stdout + tsc.stderr);
      throw new Error('the Nest 12 app does not compile against Warren');
    }
    // The machine's Node, then the other supported lines, fetched from the registry (`node` packages).
    for (const node of (process.env.NEST12_NODES ?? 'current,22,24').split(',')) {
      const command = node === 'current' ? [process.execPath, []] : ['npx', ['-y', `node@${node}`]];
      const app = spawnSync(command[0], [...command[1], path.join(dir, 'dist', 'main.js')], { cwd: dir, encoding: 'utf8', timeout: 300_000 });
      say(`scenario on node ${node === 'current' ? process.version : node}:`);
      process.stdout.write(app.stdout + app.stderr.split('\n').filter((l) => !/Unknown user config/.test(l)).join('\n'));
      if (app.status !== 0) throw new Error(`the scenario failed on node ${node} (exit ${app.status ?? app.signal})`);
    }
    say('all checks passed on NestJS 12');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

try {
  main();
} catch (error) {
  say(`FAILED: ${error.message}`);
  process.exit(1);
}
