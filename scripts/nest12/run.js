#!/usr/bin/env node
/**
 * `npm run test:nest12`: Warren in a fresh NestJS 12 app, as a user gets it. Packs the library,
 * creates an ESM TypeScript app like `nest new` does, installs Nest 12 and the tarball with a plain
 * `npm install` (an ERESOLVE fails the job), compiles it and runs a scenario against the real
 * broker: subscriber, RPC with a DTO (valid and invalid) and with a zod schema, publish, the
 * microservices transport (with @Payload({ schema }) and Nest's StandardSchemaValidationPipe),
 * the terminus health indicator, graceful close. Exits non-zero when any step or check fails.
 */
const { spawnSync } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');
const { sayer, npm: runNpm, packWarren, writeJson, tsc: runTsc, installedVersions } = require('../lib/packed-app');

const say = sayer('nest12');

function npm(args, cwd) {
  const warnings = runNpm(args, cwd, say);
  if (warnings) say(`(${warnings} "ERESOLVE overriding peer dependency" warnings: golevelup 9's peer range is ^11 — see docs/clusters-and-versions.md)`);
}

function main() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'warren-nest12-'));
  try {
    const tarball = packWarren(dir);
    writeJson(path.join(dir, 'package.json'), { name: 'warren-nest12-app', private: true, type: 'module', scripts: {} });
    writeJson(path.join(dir, 'tsconfig.json'), {
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
    });
    fs.mkdirSync(path.join(dir, 'src'));
    fs.copyFileSync(path.join(__dirname, 'scenario.ts'), path.join(dir, 'src', 'main.ts'));
    npm(['install', '@nestjs/common@^12', '@nestjs/core@^12', '@nestjs/platform-express@^12', '@nestjs/microservices@^12', '@nestjs/terminus@^12', 'reflect-metadata', 'rxjs', 'class-validator', 'class-transformer', 'zod@^4', 'typescript@~5.9', '@types/node@^20'], dir);
    npm(['install', `./${tarball}`], dir);
    const versions = installedVersions(dir, ['@nestjs/core', 'nestjs-warren']);
    say(`@nestjs/core ${versions['@nestjs/core']}, nestjs-warren ${versions['nestjs-warren']}, node ${process.version}`);
    say('tsc');
    const tsc = runTsc(dir);
    if (!tsc.ok) {
      process.stdout.write(tsc.output);
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
