/**
 * Optional peer dependencies (package.json `peerDependenciesMeta`): packages Warren uses when the
 * application installed them and does without otherwise. Each is loaded on first use through a
 * literal `require` (so bundlers see it), once.
 */
const loaded = new Map<string, unknown>();

/**
 * `load()`'s module, or undefined when package `name` is not installed. Only "cannot find `name`
 * itself" counts as absent: a package that is there but fails while loading (one of its own
 * dependencies missing, say) throws as usual, so a broken install is never mistaken for none.
 */
export function optionalPeer<T>(name: string, load: () => T): T | undefined {
  if (loaded.has(name)) return loaded.get(name) as T | undefined;
  let value: T | undefined;
  try {
    value = load();
  } catch (error) {
    if (!isMissing(error, name)) throw error;
  }
  loaded.set(name, value);
  return value;
}

function isMissing(error: unknown, name: string): boolean {
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
  if (code !== 'MODULE_NOT_FOUND' && code !== 'ERR_MODULE_NOT_FOUND') return false;
  // Node: "Cannot find module 'name'\nRequire stack: …"; Jest: "Cannot find module 'name' from 'file'".
  return typeof message === 'string' && message.split('\n')[0].includes(`'${name}'`);
}
