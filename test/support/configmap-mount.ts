// A ConfigMap volume as the kubelet lays it out (k8s.io/kubernetes pkg/volume/util/atomic_writer.go):
//
//   <dir>/..2025_01_02_15_04_05.123456789/<key>   the payload, in a directory named by the write's time
//   <dir>/..data -> ..2025_01_02_15_04_05.123456789
//   <dir>/<key>  -> ..data/<key>                  one user-visible symlink per key
//
// An update writes a new timestamped directory, points `..data_tmp` at it and renames that over
// `..data` (atomic), adds symlinks for new keys, removes those of vanished keys, and deletes the old
// directory. Readers that resolve through `..data` see the old payload or the new one, never a mix,
// which is the swap Envoy's runtime disk layer (and our proxy's) reloads on.
import { randomInt } from 'node:crypto';
import { lstat, mkdir, readdir, readlink, rename, rm, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

const DATA = '..data';

/** ConfigMap keys: `[-._a-zA-Z0-9]+`, not `.` or `..`, and (for the volume) not starting with `..`. */
export function configMapKeyProblem(key: string): string | undefined {
  if (!/^[-._a-zA-Z0-9]+$/.test(key)) return "must consist of alphanumerics, '-', '_' or '.'";
  if (key === '.' || key === '..' || key.startsWith('..')) return "must not be '.', '..' or start with '..'";
  return undefined;
}

/** `..2006_01_02_15_04_05.` plus a random suffix, as the kubelet's `os.MkdirTemp` pattern gives. */
function timestampedName(now: Date): string {
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  const ts = `${now.getUTCFullYear()}_${p(now.getUTCMonth() + 1)}_${p(now.getUTCDate())}_${p(now.getUTCHours())}_${p(
    now.getUTCMinutes(),
  )}_${p(now.getUTCSeconds())}`;
  return `..${ts}.${randomInt(1e9)}`;
}

async function readlinkOrUndefined(path: string): Promise<string | undefined> {
  try {
    return await readlink(path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
}

/**
 * Writes (or updates) the mount at `dir` so it holds exactly `data`, the kubelet's way. Returns the
 * new timestamped directory.
 */
export async function mountConfigMap(dir: string, data: Readonly<Record<string, string>>): Promise<string> {
  for (const key of Object.keys(data)) {
    const problem = configMapKeyProblem(key);
    if (problem) throw new Error(`ConfigMap key ${JSON.stringify(key)}: ${problem}`);
  }
  await mkdir(dir, { recursive: true });
  const previous = await readlinkOrUndefined(join(dir, DATA));
  const previousKeys = previous === undefined ? [] : await readdir(join(dir, previous));

  const versionName = timestampedName(new Date());
  const versionDir = join(dir, versionName);
  await mkdir(versionDir);
  for (const [key, value] of Object.entries(data))
    await writeFile(join(versionDir, key), value, { mode: 0o644 });

  const tmp = join(dir, `${DATA}_tmp`);
  await rm(tmp, { force: true });
  await symlink(versionName, tmp);
  await rename(tmp, join(dir, DATA));

  for (const key of Object.keys(data)) {
    const link = join(dir, key);
    const exists = await lstat(link).then(
      () => true,
      () => false,
    );
    if (!exists) await symlink(join(DATA, key), link);
  }
  for (const key of previousKeys) if (!Object.hasOwn(data, key)) await rm(join(dir, key), { force: true });
  if (previous !== undefined && previous !== versionName) {
    await rm(join(dir, previous), { recursive: true, force: true });
  }
  return versionDir;
}
