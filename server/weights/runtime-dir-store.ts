// A runtime disk layer on this machine as a DurableRuntime. Envoy watches the layer's `symlink_root`
// and reloads when the symlink is swapped (runtime docs, "Updating runtime values via symbolic link
// swap"); writeRuntimeDir writes a complete new directory and renames a new symlink over the root, so
// the proxy never reads half an update. The directory holds every key of the layer, not only this
// route's, so the current values are read first and the route's keys merged in.
import { constants } from 'node:fs';
import { access, lstat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { readDiskLayer } from '../../proxy/runtime/disk-layer.ts';
import { writeRuntimeDir } from '../../proxy/runtime/runtime-dir.ts';
import type { SidecarTarget } from '../model/inventory.ts';
import type { SidecarScrape } from '../model/sidecar-data.ts';
import type { DurableLookup, DurableRuntime } from './durable-runtime.ts';

export interface RuntimeDirLocation {
  symlinkRoot: string;
  /** Relative to the root: the layer's `subdirectory`, plus the service cluster with `append_service_cluster`. */
  subdirectory: string;
}

/** The replica's disk layer: from its config dump's bootstrap, else from discovery (a targets file). */
export function runtimeDirLocation(
  target: SidecarTarget,
  scrape: SidecarScrape | undefined,
): RuntimeDirLocation | undefined {
  const layer = scrape?.runtimeDiskLayer;
  if (layer !== undefined) {
    return {
      symlinkRoot: layer.symlinkRoot,
      subdirectory: join(layer.subdirectory, layer.serviceCluster ?? ''),
    };
  }
  return target.runtimeDir;
}

/** Why the dashboard cannot swap this root (undefined when it can). */
export async function runtimeDirProblem(loc: RuntimeDirLocation): Promise<string | undefined> {
  try {
    const info = await lstat(loc.symlinkRoot);
    // A real directory (or a kubelet-managed ConfigMap mount) is someone else's to update.
    if (!info.isSymbolicLink()) return `${loc.symlinkRoot} is not a symlink the dashboard can swap`;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') return `${loc.symlinkRoot}: ${(e as Error).message}`;
  }
  try {
    await access(dirname(loc.symlinkRoot), constants.W_OK);
  } catch {
    return `${dirname(loc.symlinkRoot)} is not writable by the dashboard`;
  }
  return undefined;
}

export class RuntimeDirStore implements DurableRuntime {
  readonly kind = 'runtime-dir' as const;
  readonly key: string;
  readonly location: string;
  private readonly loc: RuntimeDirLocation;

  constructor(loc: RuntimeDirLocation) {
    this.loc = loc;
    this.location = join(loc.symlinkRoot, loc.subdirectory);
    this.key = `runtime-dir:${this.location}`;
  }

  private async current(): Promise<Map<string, string>> {
    return (await readDiskLayer(this.location)) ?? new Map();
  }

  async read(keys: readonly string[]): Promise<Record<string, string | undefined>> {
    const values = await this.current();
    return Object.fromEntries(keys.map((k) => [k, values.get(k)]));
  }

  async write(values: Readonly<Record<string, string>>): Promise<Record<string, string | undefined>> {
    const all = await this.current();
    const previous = Object.fromEntries(Object.keys(values).map((k) => [k, all.get(k)]));
    for (const [k, v] of Object.entries(values)) all.set(k, v);
    await writeRuntimeDir(this.loc.symlinkRoot, Object.fromEntries(all), {
      subdirectory: this.loc.subdirectory,
    });
    return previous;
  }

  async restore(previous: Readonly<Record<string, string | undefined>>): Promise<void> {
    const all = await this.current();
    for (const [k, v] of Object.entries(previous)) {
      if (v === undefined) all.delete(k);
      else all.set(k, v);
    }
    await writeRuntimeDir(this.loc.symlinkRoot, Object.fromEntries(all), {
      subdirectory: this.loc.subdirectory,
    });
  }
}

/** The replica's local runtime directory as a store, when it has one the dashboard may write. */
export async function lookupRuntimeDir(
  target: SidecarTarget,
  scrape: SidecarScrape | undefined,
): Promise<DurableLookup> {
  const loc = runtimeDirLocation(target, scrape);
  if (loc === undefined) {
    return {
      ok: false,
      reason: `${target.id} has no runtime disk layer (none in its config dump, no runtimeDir in discovery)`,
    };
  }
  const problem = await runtimeDirProblem(loc);
  return problem === undefined
    ? { ok: true, store: new RuntimeDirStore(loc) }
    : { ok: false, reason: problem };
}
