/** What the clean-install check reads from an install: its warnings and the copies of a package. */
const fs = require('fs');
const path = require('path');

/** Lines of an install's output that are peer-dependency or ERESOLVE warnings (npm or pnpm). */
function peerWarnings(output) {
  return output
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => (/^npm warn\b/i.test(line) && /ERESOLVE|peer/i.test(line)) || /unmet peer|missing peer|issues with peer dependencies/i.test(line));
}

/** Every warning an install printed, with pnpm's peer tree (which says whose peer range is unmet). */
function installWarnings(output) {
  const lines = output.split('\n');
  const shown = [];
  for (let i = 0; i < lines.length; i++) {
    if (/^\s*npm warn\b/i.test(lines[i])) shown.push(lines[i].trim());
    if (/^\s*WARN\b/.test(lines[i])) {
      shown.push(lines[i].trim());
      // pnpm's tree under the warning runs to the next empty line.
      while (i + 1 < lines.length && lines[i + 1].trim() !== '') shown.push(lines[++i]);
    }
  }
  return shown;
}

function version(dir) {
  return JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')).version;
}

/** Every installed copy of package `name` under `root`, as `path@version`. */
function copiesOf(root, pm, name) {
  if (pm === 'pnpm') {
    const store = path.join(root, 'node_modules', '.pnpm');
    const prefix = `${name.replace('/', '+')}@`;
    return fs
      .readdirSync(store)
      .filter((entry) => entry.startsWith(prefix))
      .map((entry) => `.pnpm/${entry} (${version(path.join(store, entry, 'node_modules', name))})`);
  }
  const found = [];
  const visit = (modules) => {
    if (!fs.existsSync(modules)) return;
    for (const entry of fs.readdirSync(modules)) {
      if (entry.startsWith('.')) continue;
      const names = entry.startsWith('@') ? fs.readdirSync(path.join(modules, entry)).map((scoped) => `${entry}/${scoped}`) : [entry];
      for (const pkg of names) {
        const dir = path.join(modules, pkg);
        if (pkg === name && fs.existsSync(path.join(dir, 'package.json'))) found.push(`${path.relative(root, dir)}@${version(dir)}`);
        visit(path.join(dir, 'node_modules'));
      }
    }
  };
  visit(path.join(root, 'node_modules'));
  return found;
}

module.exports = { installWarnings, peerWarnings, copiesOf };
