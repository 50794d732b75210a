// Writing a runtime disk layer the way Envoy wants it updated (and the way Kubernetes updates a
// ConfigMap mount): never edit files in place; write a complete new directory next to the symlink, then
// atomically rename a fresh symlink over `symlink_root`. A reader sees either the old or the new set of
// values, never a mix, and Envoy (or our LayeredRuntime) reloads on the swap.
//
// Used by the proxy's tests and by the dashboard to persist weights (admin-layer overrides are lost on
// restart; a disk layer is what survives).
import { randomBytes } from 'node:crypto';
import { lstat, mkdir, readdir, readlink, rename, rm, symlink, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

export interface WriteRuntimeDirOptions {
  /** The layer's `subdirectory`: values are written under `<new dir>/<subdirectory>`. */
  subdirectory?: string;
}

/**
 * Replaces the runtime directory behind `symlinkRoot` with one holding exactly `values` (one file per
 * key, named by the key, content the value). Creates the symlink if absent; refuses to replace a real
 * directory. Keeps the previous version (a reader may still be walking it) and deletes older ones.
 * Returns the new versioned directory.
 */
export async function writeRuntimeDir(
  symlinkRoot: string,
  values: Readonly<Record<string, string>>,
  opts: WriteRuntimeDirOptions = {},
): Promise<string> {
  for (const key of Object.keys(values)) {
    const problem = runtimeKeyProblem(key);
    if (problem) throw new Error(`runtime key '${key}': ${problem}`);
  }
  const parent = dirname(symlinkRoot);
  const base = basename(symlinkRoot);
  const previous = await currentTarget(symlinkRoot);

  const versionPrefix = `.${base}.`;
  const versionName = `${versionPrefix}${Date.now()}-${randomBytes(4).toString('hex')}`;
  const versionDir = join(parent, versionName);
  const valuesDir = join(versionDir, opts.subdirectory ?? '');
  await mkdir(valuesDir, { recursive: true });
  for (const [key, value] of Object.entries(values)) await writeFile(join(valuesDir, key), value);

  // rename(2) over an existing symlink is atomic; a relative target keeps the tree relocatable.
  const tmpLink = join(parent, `${versionPrefix}tmp-${randomBytes(4).toString('hex')}`);
  await symlink(versionName, tmpLink);
  try {
    await rename(tmpLink, symlinkRoot);
  } catch (e) {
    await rm(tmpLink, { force: true });
    await rm(versionDir, { recursive: true, force: true });
    throw e;
  }

  const keep = new Set([versionName, previous === undefined ? '' : basename(previous)]);
  for (const name of await readdir(parent)) {
    if (name.startsWith(versionPrefix) && !keep.has(name)) {
      await rm(join(parent, name), { recursive: true, force: true });
    }
  }
  return versionDir;
}

/** Why a key cannot be a file name in a runtime directory, or undefined when it can. */
export function runtimeKeyProblem(key: string): string | undefined {
  if (key === '') return 'empty';
  if (key.includes('/') || key.includes('\0')) return "contains '/' or NUL";
  if (key.startsWith('.')) return "starts with '.' (ignored by the disk layer)";
  return undefined;
}

async function currentTarget(symlinkRoot: string): Promise<string | undefined> {
  let info: Awaited<ReturnType<typeof lstat>>;
  try {
    info = await lstat(symlinkRoot);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
  if (!info.isSymbolicLink()) {
    throw new Error(`${symlinkRoot} exists and is not a symlink; refusing to replace it`);
  }
  return readlink(symlinkRoot);
}
