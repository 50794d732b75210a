// ConfigMap volumes the kubelet's way: the `..data` layout written by mountConfigMap, and a real sidecar
// of the simulated cluster whose runtime disk layer follows its ConfigMap when the ConfigMap is patched
// through the API server.
import { lstat, mkdtemp, readdir, readFile, readlink, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { mountConfigMap } from '../../support/configmap-mount.ts';
import { stopAll } from '../../support/processes.ts';
import { SimulatedCluster } from '../../support/simulated-cluster.ts';

const cleanup: (() => Promise<void>)[] = [];

afterAll(async () => {
  for (const c of cleanup.reverse()) await c();
  await stopAll();
});

describe('mountConfigMap', () => {
  it('lays out ..<timestamp>/, the ..data symlink and one symlink per key, and swaps on update', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'cm-mount-'));
    cleanup.push(() => rm(dir, { recursive: true, force: true }));

    const first = await mountConfigMap(dir, { 'weight.v1': '80', 'weight.v2': '20' });
    const firstName = first.slice(dir.length + 1);
    expect(firstName).toMatch(/^\.\.\d{4}_\d{2}_\d{2}_\d{2}_\d{2}_\d{2}\.\d+$/);
    expect(await readlink(join(dir, '..data'))).toBe(firstName);
    expect(await readlink(join(dir, 'weight.v1'))).toBe('..data/weight.v1');
    expect(await readFile(join(dir, 'weight.v2'), 'utf8')).toBe('20');
    expect((await readdir(dir)).sort()).toEqual(['..data', firstName, 'weight.v1', 'weight.v2'].sort());

    const second = await mountConfigMap(dir, { 'weight.v1': '50', 'weight.v3': '50' });
    const secondName = second.slice(dir.length + 1);
    expect(await readlink(join(dir, '..data'))).toBe(secondName);
    expect(await readFile(join(dir, 'weight.v1'), 'utf8')).toBe('50');
    expect(await readFile(join(dir, 'weight.v3'), 'utf8')).toBe('50');
    // The vanished key's symlink and the previous payload are gone; nothing else is left behind.
    expect((await readdir(dir)).sort()).toEqual(['..data', secondName, 'weight.v1', 'weight.v3'].sort());
    expect((await lstat(join(dir, '..data'))).isSymbolicLink()).toBe(true);
  });

  it('refuses keys a ConfigMap cannot have', async () => {
    await expect(mountConfigMap('/nonexistent-dir', { '../x': '1' })).rejects.toThrow(/ConfigMap key/);
    await expect(mountConfigMap('/nonexistent-dir', { '..data': '1' })).rejects.toThrow(/must not/);
  });
});

describe('a sidecar with its runtime on a ConfigMap volume', () => {
  it('follows a merge patch of the ConfigMap through the kubelet’s ..data swap', async () => {
    const cluster = await SimulatedCluster.start();
    cleanup.push(() => cluster.stop());
    const key = 'routing.traffic_shift.reviews';
    cluster.applyConfigMap('default', 'reviews-runtime', { [key]: '80' });
    const pod = await cluster.addPod({
      deployment: 'reviews-v1',
      labels: { app: 'reviews', version: 'v1' },
      configMapVolumes: { runtime: 'reviews-runtime' },
    });
    const runtimeValue = async () => {
      const res = await pod.proxy!.admin('/runtime');
      const dump = JSON.parse(res.body) as { entries: Record<string, { final_value: string }> };
      return dump.entries[key]?.final_value;
    };
    expect(await runtimeValue()).toBe('80');

    // A client patches the ConfigMap as the dashboard will (merge patch through the API server).
    const res = await fetch(`${cluster.api.url}/api/v1/namespaces/default/configmaps/reviews-runtime`, {
      method: 'PATCH',
      headers: { 'content-type': 'application/merge-patch+json' },
      body: JSON.stringify({ data: { [key]: '30' } }),
    });
    expect(res.status).toBe(200);
    await cluster.settled();
    expect(await readFile(join(pod.mounts['runtime']!, key), 'utf8')).toBe('30');
    const deadline = Date.now() + 5_000;
    let value = await runtimeValue();
    while (value !== '30' && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 50));
      value = await runtimeValue();
    }
    expect(value).toBe('30');
  });
});
