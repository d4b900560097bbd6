#!/usr/bin/env node
/**
 * `npm run test:snippets`: every ```ts block of README.md and docs/*.md compiles as a user would
 * write it. Packs the library (its prepack builds it), lays out a fresh Nest app in a temp dir, installs
 * Nest and the tarball with a plain `npm install`, writes each block as a file of that app and
 * type-checks them all with the app's tsc (strict). Errors are reported at the Markdown line.
 *
 * Conventions (docs/CONTRIBUTING.md, "Code blocks"):
 *   ```ts                         a file of its own (`export {}` is added, so names do not clash; a
 *                                 block with a top-level `await` becomes an ES module, `.mts`)
 *   ```ts file=orders.handler.ts  a named file; blocks of one document import each other by name
 *                                 (`./orders.handler.js`: the Nest 12 app is an ES module)
 *   ```ts no-compile              not checked (kept few; the run lists them)
 *   <!-- snippet-preamble ... --> right before a block: hidden lines put before it (imports,
 *                                 `declare const producer: MessageProducer;`)
 *
 * `--tarball <file>` checks that tarball instead of packing one (CI packs once for every job).
 * SNIPPETS_NEST picks the Nest majors to check against (default: 11,12). SNIPPETS_KEEP=1 keeps the temp
 * dir. Exits non-zero when a block does not compile, or when no block was found.
 */
const fs = require('fs');
const os = require('os');
const path = require('path');
const ts = require('typescript'); // the repository's own, to read the blocks
const { ROOT, sayer, npm, packWarren, writeJson, tsc, installedVersions } = require('../lib/packed-app');

const say = sayer('snippets');

/** Markdown files whose blocks are checked: README.md and docs/*.md. */
function documents() {
  const docs = fs
    .readdirSync(path.join(ROOT, 'docs'))
    .filter((name) => name.endsWith('.md'))
    .sort()
    .map((name) => path.join('docs', name));
  return ['README.md', ...docs];
}

/**
 * The ```ts / ```typescript blocks of one Markdown text: { line (of the fence), file?, noCompile,
 * preamble, code }. A `<!-- snippet-preamble … -->` comment counts when only blank lines stand
 * between it and the fence.
 */
function extractBlocks(text) {
  const lines = text.split('\n');
  const blocks = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^(\s*)(`{3,}|~{3,})\s*(ts|typescript)\b(.*)$/.exec(lines[i]);
    if (!open) {
      // skip blocks in other languages whole, so a ```ts inside them is not taken for a fence
      const other = /^(\s*)(`{3,}|~{3,})/.exec(lines[i]);
      if (other) {
        const fence = other[2];
        for (i++; i < lines.length && !lines[i].trimStart().startsWith(fence); i++);
      }
      continue;
    }
    const [, indent, fence, , info] = open;
    const words = info.trim().split(/\s+/).filter(Boolean);
    const file = words.find((word) => word.startsWith('file='))?.slice('file='.length);
    const noCompile = words.includes('no-compile');
    const body = [];
    let j = i + 1;
    for (; j < lines.length && !lines[j].trimStart().startsWith(fence); j++) body.push(lines[j].startsWith(indent) ? lines[j].slice(indent.length) : lines[j]);
    if (j === lines.length) throw new Error(`unclosed code block at line ${i + 1}`);
    blocks.push({ line: i + 1, file, noCompile, preamble: preambleBefore(lines, i), code: body.join('\n') });
    i = j;
  }
  return blocks;
}

function preambleBefore(lines, fenceIndex) {
  let k = fenceIndex - 1;
  while (k >= 0 && lines[k].trim() === '') k--;
  if (k < 0 || !lines[k].trim().endsWith('-->')) return '';
  let start = k;
  while (start >= 0 && !lines[start].includes('<!--')) start--;
  if (start < 0) return '';
  const comment = lines.slice(start, k + 1).join('\n');
  const match = /<!--\s*snippet-preamble:?([\s\S]*?)-->/.exec(comment);
  return match ? match[1].trim() : '';
}

/** True when the code awaits outside any function (then it is compiled as an ES module, `.mts`). */
function hasTopLevelAwait(code) {
  const source = ts.createSourceFile('block.ts', code, ts.ScriptTarget.Latest, false, ts.ScriptKind.TS);
  const visit = (node) => {
    if (ts.isFunctionLike(node) || ts.isClassStaticBlockDeclaration(node)) return false;
    if (ts.isAwaitExpression(node) || (ts.isForOfStatement(node) && node.awaitModifier)) return true;
    return ts.forEachChild(node, visit) === true;
  };
  return ts.forEachChild(source, visit) === true;
}

/** Writes the blocks of every document under src/<document>/; returns where each file came from. */
function writeSnippets(appDir) {
  const origins = new Map();
  const skipped = [];
  let count = 0;
  for (const doc of documents()) {
    const blocks = extractBlocks(fs.readFileSync(path.join(ROOT, doc), 'utf8'));
    const folder = path.join('src', doc.replace(/\.md$/, '').replace(/[\\/]/g, '__'));
    for (const block of blocks) {
      if (block.noCompile) {
        skipped.push(`${doc}:${block.line}`);
        continue;
      }
      const topLevelAwait = hasTopLevelAwait(block.code);
      const name = block.file ? block.file.replace(/^src\//, '') : `snippet-${block.line}.${topLevelAwait ? 'mts' : 'ts'}`;
      const relative = path.join(folder, name);
      if (origins.has(relative)) throw new Error(`${doc}:${block.line}: a second block names ${block.file}`);
      const preamble = block.preamble ? `${block.preamble}\n` : '';
      const moduleMarker = block.file ? '' : '\nexport {};\n';
      fs.mkdirSync(path.dirname(path.join(appDir, relative)), { recursive: true });
      fs.writeFileSync(path.join(appDir, relative), `${preamble}${block.code}\n${moduleMarker}`);
      origins.set(relative, { doc, line: block.line, offset: preamble ? preamble.split('\n').length - 1 : 0 });
      count++;
    }
  }
  return { origins, skipped, count };
}

/** tsc's `src/x/y.ts(12,5): error …` lines, pointed at the Markdown line they came from. */
function mapErrors(output, origins) {
  return output
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const match = /^(.+?)\((\d+),(\d+)\): (.*)$/.exec(line);
      const origin = match && origins.get(path.normalize(match[1]));
      if (!origin) return line;
      const inBlock = Number(match[2]) - origin.offset;
      const where = inBlock >= 1 ? `${origin.doc}:${origin.line + inBlock}` : `${origin.doc}:${origin.line} (preamble line ${match[2]})`;
      return `${where}: ${match[4]}`;
    })
    .join('\n');
}

/** The packages a block may import, for the Nest major `nest`. */
function dependencies(nest) {
  return [
    `@nestjs/common@^${nest}`,
    `@nestjs/core@^${nest}`,
    `@nestjs/platform-express@^${nest}`,
    `@nestjs/microservices@^${nest}`,
    `@nestjs/terminus@^${nest}`,
    `@nestjs/testing@^${nest}`,
    '@nestjs/config@^4',
    'reflect-metadata',
    'rxjs',
    'class-validator',
    'class-transformer',
    'zod@^4',
    'valibot@^1',
    '@opentelemetry/api@~1.9.0',
    // What `nest new` installs: Nest 11 apps TypeScript 5, Nest 12 apps TypeScript 6.
    nest === '11' ? 'typescript@~5.9' : 'typescript@^6',
    '@types/node@^20',
    '@types/jest@^29',
  ];
}

function checkAgainst(nest, tarballDir, tarball) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `warren-snippets-nest${nest}-`));
  try {
    fs.copyFileSync(path.join(tarballDir, tarball), path.join(dir, tarball));
    // `nest new` makes a CommonJS app for Nest 11 and an ES module app for Nest 12.
    writeJson(path.join(dir, 'package.json'), { name: 'warren-snippets-app', private: true, type: nest === '11' ? 'commonjs' : 'module' });
    // What `nest new` writes, made strict (as Nest 12's is).
    writeJson(path.join(dir, 'tsconfig.json'), {
      compilerOptions: {
        module: 'nodenext',
        moduleResolution: 'nodenext',
        resolvePackageJsonExports: true,
        esModuleInterop: true,
        isolatedModules: true,
        target: 'es2023',
        experimentalDecorators: true,
        emitDecoratorMetadata: true,
        strict: true,
        strictPropertyInitialization: false,
        skipLibCheck: true,
        noEmit: true,
        types: ['node', 'jest'],
      },
      include: ['src'],
    });
    const { origins, skipped, count } = writeSnippets(dir);
    if (count === 0) throw new Error('no ```ts block found in README.md or docs/');
    const peerFlags = nest === '11' ? [] : ['--legacy-peer-deps'];
    npm(['install', ...peerFlags, ...dependencies(nest)], dir, say);
    npm(['install', ...peerFlags, `./${tarball}`], dir, say);
    const versions = installedVersions(dir, ['@nestjs/core', 'nestjs-warren', 'typescript']);
    say(`Nest ${versions['@nestjs/core']}, nestjs-warren ${versions['nestjs-warren']}, TypeScript ${versions.typescript}`);
    say(`tsc over ${count} blocks from ${new Set([...origins.values()].map((o) => o.doc)).size} documents`);
    if (skipped.length) say(`not compiled (no-compile): ${skipped.join(', ')}`);
    const result = tsc(dir);
    if (!result.ok) {
      process.stdout.write(`${mapErrors(result.output, origins)}\n`);
      throw new Error(`code blocks do not compile against Nest ${nest}`);
    }
    say(`${count} passed, 0 failed (Nest ${nest})`);
  } finally {
    if (process.env.SNIPPETS_KEEP) say(`kept ${dir}`);
    else fs.rmSync(dir, { recursive: true, force: true });
  }
}

function main() {
  const tarballDir = fs.mkdtempSync(path.join(os.tmpdir(), 'warren-snippets-pack-'));
  try {
    const given = process.argv.indexOf('--tarball');
    let tarball;
    if (given > 0) {
      const file = path.resolve(process.argv[given + 1] ?? '');
      if (!fs.existsSync(file)) throw new Error(`--tarball: ${file} does not exist`);
      tarball = path.basename(file);
      fs.copyFileSync(file, path.join(tarballDir, tarball));
    } else {
      tarball = packWarren(tarballDir);
    }
    for (const nest of (process.env.SNIPPETS_NEST ?? '11,12').split(',')) checkAgainst(nest.trim(), tarballDir, tarball);
  } finally {
    fs.rmSync(tarballDir, { recursive: true, force: true });
  }
}

if (require.main === module) {
  try {
    main();
  } catch (error) {
    say(`FAILED: ${error.message}`);
    process.exit(1);
  }
}

module.exports = { extractBlocks, documents };
