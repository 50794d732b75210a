import { mkdir, mkdtemp, readFile, readlink, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { writeRuntimeDir } from '../../../proxy/runtime/runtime-dir.ts';
import type { SidecarTarget } from '../../../server/model/inventory.ts';
import type { SidecarScrape } from '../../../server/model/sidecar-data.ts';
import {
  lookupRuntimeDir,
  RuntimeDirStore,
  runtimeDirLocation,
} from '../../../server/weights/runtime-dir-store.ts';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'runtime-dir-store-'));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

const target = (runtimeDir?: SidecarTarget['runtimeDir']): SidecarTarget => ({
  id: 'default/web/0',
  namespace: 'default',
  workload: 'web',
  pod: undefined,
  kind: 'envoy',
  admin: { baseUrl: 'http://127.0.0.1:1' },
  statsPath: '/stats/prometheus',
  ...(runtimeDir && { runtimeDir }),
});
const scrapeWith = (layer: SidecarScrape['runtimeDiskLayer']) =>
  ({ runtimeDiskLayer: layer }) as unknown as SidecarScrape;

describe('RuntimeDirStore', () => {
  it('merges the route’s keys into the layer (other keys stay), swaps the symlink, and restores', async () => {
    const root = join(dir, 'current');
    await writeRuntimeDir(
      root,
      { 'other.key': 'keep', 'split.v1': '80', 'split.v2': '20' },
      { subdirectory: 'envoy' },
    );
    const before = await readlink(root);
    const store = new RuntimeDirStore({ symlinkRoot: root, subdirectory: 'envoy' });
    const previous = await store.write({ 'split.v1': '50', 'split.v2': '50', 'split.v3': '0' });
    expect(previous).toEqual({ 'split.v1': '80', 'split.v2': '20', 'split.v3': undefined });
    expect(await readlink(root)).not.toBe(before);
    expect(await readFile(join(root, 'envoy', 'split.v1'), 'utf8')).toBe('50');
    expect(await store.read(['other.key', 'split.v3', 'nope'])).toEqual({
      'other.key': 'keep',
      'split.v3': '0',
      nope: undefined,
    });
    await store.restore(previous);
    expect(await store.read(['other.key', 'split.v1', 'split.v2', 'split.v3'])).toEqual({
      'other.key': 'keep',
      'split.v1': '80',
      'split.v2': '20',
      'split.v3': undefined,
    });
  });

  it('finds the layer from the config dump first, then from discovery, with the service cluster appended', async () => {
    expect(
      runtimeDirLocation(
        target({ symlinkRoot: '/from/targets', subdirectory: '' }),
        scrapeWith({ symlinkRoot: '/from/dump', subdirectory: 'envoy', serviceCluster: 'web' }),
      ),
    ).toEqual({ symlinkRoot: '/from/dump', subdirectory: 'envoy/web' });
    expect(
      runtimeDirLocation(target({ symlinkRoot: '/from/targets', subdirectory: 's' }), undefined),
    ).toEqual({
      symlinkRoot: '/from/targets',
      subdirectory: 's',
    });
    expect(runtimeDirLocation(target(), undefined)).toBeUndefined();
  });

  it('is offered only where the dashboard can swap the symlink', async () => {
    expect(await lookupRuntimeDir(target(), undefined)).toMatchObject({
      ok: false,
      reason: /no runtime disk layer/,
    });
    const realDir = join(dir, 'real');
    await mkdir(realDir);
    await writeFile(join(realDir, 'k'), 'v');
    expect(
      await lookupRuntimeDir(target({ symlinkRoot: realDir, subdirectory: '' }), undefined),
    ).toMatchObject({
      ok: false,
      reason: /not a symlink/,
    });
    expect(
      await lookupRuntimeDir(
        target({ symlinkRoot: '/nonexistent-parent/current', subdirectory: '' }),
        undefined,
      ),
    ).toMatchObject({ ok: false, reason: /not writable/ });
    const fresh = await lookupRuntimeDir(
      target({ symlinkRoot: join(dir, 'fresh'), subdirectory: '' }),
      undefined,
    );
    expect(fresh.ok).toBe(true);
  });
});
