// The runtime disk layer on a real file system: symlink swaps written by writeRuntimeDir, a Kubernetes
// ConfigMap mount (`..data` swapped inside the mount), nested keys, and a directory that is missing.
import { lstat, mkdir, mkdtemp, readdir, readlink, rename, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { RuntimeLayer } from '../../proxy/config/model.ts';
import { LayeredRuntime } from '../../proxy/runtime/layered-runtime.ts';
import { writeRuntimeDir } from '../../proxy/runtime/runtime-dir.ts';
import { StatsStore } from '../../proxy/stats/store.ts';

const V1 = 'routing.traffic_shift.backend_v1';

let dir: string;
let runtimes: LayeredRuntime[];

async function waitFor(what: string, cond: () => boolean, timeoutMs = 3000): Promise<number> {
  const start = Date.now();
  while (!cond()) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
  return Date.now() - start;
}

function diskLayer(
  symlinkRoot: string,
  extra: Partial<Extract<RuntimeLayer, { kind: 'disk' }>> = {},
): RuntimeLayer {
  return { kind: 'disk', name: 'disk', symlinkRoot, subdirectory: '', appendServiceCluster: false, ...extra };
}

async function started(
  layers: RuntimeLayer[],
  onChange = vi.fn(),
  opts: { watchFiles?: boolean; pollIntervalMs?: number; stats?: StatsStore } = {},
): Promise<LayeredRuntime> {
  const rt = new LayeredRuntime(layers, { serviceCluster: 'frontend', onChange, ...opts });
  runtimes.push(rt);
  await rt.start();
  return rt;
}

const base: RuntimeLayer = { kind: 'static', name: 'base', values: { [V1]: 90 } };
const admin: RuntimeLayer = { kind: 'admin', name: 'admin' };

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'meshscope-runtime-'));
  runtimes = [];
});

afterEach(async () => {
  for (const rt of runtimes) rt.close();
  await rm(dir, { recursive: true, force: true });
});

describe('disk layer behind a symlink swapped by writeRuntimeDir', () => {
  it('loads at start and follows each swap within 2 s, calling onChange', async () => {
    const root = join(dir, 'current');
    await writeRuntimeDir(root, { [V1]: '80' });
    const onChange = vi.fn();
    const rt = await started([base, diskLayer(root), admin], onChange);
    expect(rt.getInteger(V1, 50)).toBe(80);
    expect(rt.dump().entries[V1]).toEqual({ final_value: '80', layer_values: ['90', '80', ''] });

    await writeRuntimeDir(root, { [V1]: '30' });
    const ms = await waitFor('the swapped value', () => rt.getInteger(V1, 50) === 30);
    expect(ms).toBeLessThan(2000);
    expect(onChange).toHaveBeenCalled();

    // An admin override still wins over the disk layer.
    rt.modify({ [V1]: '10' });
    await writeRuntimeDir(root, { [V1]: '20' });
    await waitFor('the disk value', () => rt.dump().entries[V1]?.layer_values[1] === '20');
    expect(rt.getInteger(V1, 50)).toBe(10);
  });

  it('notices a swap by polling alone when fs.watch is off', async () => {
    const root = join(dir, 'current');
    await writeRuntimeDir(root, { [V1]: '80' });
    const onChange = vi.fn();
    const rt = await started([base, diskLayer(root)], onChange, { watchFiles: false, pollIntervalMs: 300 });
    await writeRuntimeDir(root, { [V1]: '35' });
    await new Promise((r) => setTimeout(r, 100));
    expect(rt.getInteger(V1, 50)).toBe(80);
    const ms = await waitFor('the polled value', () => rt.getInteger(V1, 50) === 35);
    expect(ms).toBeLessThan(1000);
    expect(onChange).toHaveBeenCalledTimes(1);
  });

  it('keeps the previous values when a new version cannot be read, and recovers', async () => {
    const root = join(dir, 'current');
    await writeRuntimeDir(root, { [V1]: '80' });
    const stats = new StatsStore();
    const rt = await started([base, diskLayer(root)], vi.fn(), { stats });

    // Deeper than Envoy's 16-level walk limit: the layer cannot be loaded.
    const bad = join(dir, 'bad');
    await mkdir(join(bad, ...Array.from({ length: 17 }, (_, i) => `d${i}`)), { recursive: true });
    await symlink(bad, join(dir, 'tmp-link'));
    await rename(join(dir, 'tmp-link'), root);
    await waitFor('the failed load', () => (stats.counters.get('runtime.load_error')?.value ?? 0) > 0);
    expect(rt.getInteger(V1, 50)).toBe(80);

    await writeRuntimeDir(root, { [V1]: '40' });
    await waitFor('the next good version', () => rt.getInteger(V1, 50) === 40);
  });

  it('survives a missing directory and picks it up once it appears', async () => {
    const root = join(dir, 'not-yet');
    const onChange = vi.fn();
    const rt = await started([base, diskLayer(root), admin], onChange);
    // Envoy leaves a disk layer without a directory out of the snapshot.
    expect(rt.dump().layers).toEqual(['base', 'admin']);
    expect(rt.getInteger(V1, 50)).toBe(90);

    await writeRuntimeDir(root, { [V1]: '65' });
    await waitFor('the new directory', () => rt.getInteger(V1, 50) === 65);
    expect(rt.dump().layers).toEqual(['base', 'disk', 'admin']);
    expect(onChange).toHaveBeenCalledTimes(1);

    await rm(root);
    await waitFor('the layer to go', () => rt.getInteger(V1, 50) === 90);
    expect(rt.dump().layers).toEqual(['base', 'admin']);
  });

  it('reads nested directories and dotted file names, under subdirectory/service_cluster, skipping dotfiles', async () => {
    const root = join(dir, 'runtime');
    const version = join(dir, 'v1', 'envoy', 'frontend');
    await mkdir(join(version, 'routing', 'traffic_shift'), { recursive: true });
    await writeFile(join(version, 'routing', 'traffic_shift', 'backend_v1'), '55\n');
    await writeFile(join(version, 'routing.traffic_shift.backend_v2'), '# set by hand\n45\n');
    await writeFile(join(version, '.hidden'), 'x');
    await mkdir(join(version, '.git'));
    await writeFile(join(version, '.git', 'HEAD'), 'y');
    await symlink(join(dir, 'v1'), root);
    const rt = await started([diskLayer(root, { subdirectory: 'envoy', appendServiceCluster: true })]);
    expect(Object.keys(rt.dump().entries)).toEqual([
      'routing.traffic_shift.backend_v1',
      'routing.traffic_shift.backend_v2',
    ]);
    expect(rt.getInteger('routing.traffic_shift.backend_v1', 0)).toBe(55);
    expect(rt.getInteger('routing.traffic_shift.backend_v2', 0)).toBe(45);
  });
});

describe('disk layer on a Kubernetes ConfigMap mount', () => {
  // kubelet's AtomicWriter: files live in a timestamped `..<ts>` directory, `..data` points at it, and
  // each key is a symlink `key -> ..data/key`; an update writes a new directory and renames `..data`.
  async function writeVersion(mount: string, ts: string, values: Record<string, string>): Promise<void> {
    await mkdir(join(mount, `..${ts}`), { recursive: true });
    for (const [k, v] of Object.entries(values)) await writeFile(join(mount, `..${ts}`, k), v);
    await symlink(`..${ts}`, join(mount, '..data_tmp'));
    await rename(join(mount, '..data_tmp'), join(mount, '..data'));
    for (const k of Object.keys(values)) {
      await symlink(join('..data', k), join(mount, k)).catch(() => {});
    }
  }

  it('reloads when ..data is swapped', async () => {
    const mount = join(dir, 'etc-runtime');
    await writeVersion(mount, '2026_01_01_00_00_00.1', { [V1]: '75' });
    const rt = await started([base, diskLayer(mount)]);
    expect(Object.keys(rt.dump().entries)).toEqual([V1]);
    expect(rt.getInteger(V1, 50)).toBe(75);

    await writeVersion(mount, '2026_01_01_00_01_00.2', { [V1]: '25' });
    const ms = await waitFor('the ConfigMap update', () => rt.getInteger(V1, 50) === 25);
    expect(ms).toBeLessThan(2000);
  });
});

describe('writeRuntimeDir', () => {
  it('swaps atomically, keeping the previous version and deleting older ones', async () => {
    const root = join(dir, 'current');
    const first = await writeRuntimeDir(root, { a: '1' });
    const second = await writeRuntimeDir(root, { a: '2', 'b.c': '3' });
    const third = await writeRuntimeDir(root, { a: '4' });
    expect((await lstat(root)).isSymbolicLink()).toBe(true);
    expect(join(dir, await readlink(root))).toBe(third);
    const left = (await readdir(dir)).sort();
    expect(left).toEqual(['current', third.slice(dir.length + 1), second.slice(dir.length + 1)].sort());
    expect(left).not.toContain(first.slice(dir.length + 1));
    expect(await readdir(third)).toEqual(['a']);
  });

  it('refuses keys that cannot be files, and a real directory in place of the symlink', async () => {
    await expect(writeRuntimeDir(join(dir, 'x'), { 'a/b': '1' })).rejects.toThrow("runtime key 'a/b'");
    await expect(writeRuntimeDir(join(dir, 'x'), { '.a': '1' })).rejects.toThrow("starts with '.'");
    await mkdir(join(dir, 'real'));
    await expect(writeRuntimeDir(join(dir, 'real'), { a: '1' })).rejects.toThrow('is not a symlink');
  });
});
