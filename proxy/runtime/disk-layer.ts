// Reading a runtime `disk_layer`, as Envoy's DiskLayer: the directory `<symlink_root>/<subdirectory>`
// (plus `/<service_cluster>` with `append_service_cluster`) is walked; each regular file is a key — its
// path relative to the directory with `/` turned into `.` — and its content, without `#` comment
// lines and trimmed, is the value. So `a/b/c` and a file named `a.b.c` both give key `a.b.c`, the
// second being what a Kubernetes ConfigMap mount holds.
//
// Names starting with `.` are skipped: a ConfigMap mount keeps its real files under `..data` and
// `..2024_…` directories and exposes each key as a symlink into `..data`; walking those would produce
// `..data.key` duplicates. Symlinks are followed (that is how the keys are reached).
import { readdir, readFile, realpath, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { RuntimeLayer } from '../config/model.ts';

type DiskLayerConfig = Extract<RuntimeLayer, { kind: 'disk' }>;

/** Envoy's `MaxWalkDepth`. */
const MAX_DEPTH = 16;

export function diskLayerDirectory(layer: DiskLayerConfig, serviceCluster: string): string {
  return join(layer.symlinkRoot, layer.subdirectory, layer.appendServiceCluster ? serviceCluster : '');
}

/**
 * The layer's keys and values, or undefined when the directory does not exist (Envoy then leaves the
 * layer out of the snapshot). Other errors (unreadable file, walk too deep) reject.
 */
export async function readDiskLayer(dir: string): Promise<Map<string, string> | undefined> {
  try {
    if (!(await stat(dir)).isDirectory()) return undefined;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    throw e;
  }
  const out = new Map<string, string>();
  await walk(dir, '', 1, out);
  return out;
}

async function walk(dir: string, prefix: string, depth: number, out: Map<string, string>): Promise<void> {
  if (depth > MAX_DEPTH) throw new Error(`Walk recursion depth exceeded ${MAX_DEPTH} at ${dir}`);
  const names = (await readdir(dir)).filter((n) => !n.startsWith('.')).sort();
  for (const name of names) {
    const full = join(dir, name);
    const key = prefix === '' ? name : `${prefix}.${name}`;
    let info: Awaited<ReturnType<typeof stat>>;
    try {
      info = await stat(full);
    } catch (e) {
      // A dangling symlink (a ConfigMap key mid-update) is not a key.
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') continue;
      throw e;
    }
    if (info.isDirectory()) await walk(full, key, depth + 1, out);
    else if (info.isFile()) out.set(key, fileValue(await readFile(full, 'utf8')));
  }
}

/** Envoy drops lines starting with `#` (comments make placeholder files possible). */
export function fileValue(text: string): string {
  return text
    .split('\n')
    .filter((line) => !line.startsWith('#'))
    .join('\n')
    .trim();
}

/** Where a disk layer points right now: an identity to compare, and the directory to read. */
export interface DiskLayerTarget {
  /**
   * Changes when the root symlink or a ConfigMap-style `..data` link inside the directory is swapped,
   * or the directory is replaced: where each resolves to, plus the directory's inode.
   */
  id: string;
  /** The resolved directory (undefined when missing): reading it, not the symlink, sees one version. */
  realDir: string | undefined;
}

export async function diskLayerTarget(symlinkRoot: string, dir: string): Promise<DiskLayerTarget> {
  const [root, real, inode, data] = await Promise.all([
    realpath(symlinkRoot).catch(() => undefined),
    realpath(dir).catch(() => undefined),
    stat(dir).then(
      (s) => `${s.dev}:${s.ino}`,
      () => '-',
    ),
    realpath(join(dir, '..data')).catch(() => '-'),
  ]);
  return { id: `${root ?? '-'}|${real ?? '-'}|${inode}|${data}`, realDir: real };
}
