import { describe, expect, it } from 'vitest';
import { runtimeDiskLayerFromConfigDump } from '../../../../server/sources/envoy/runtime-disk-layer.ts';
import { TargetsFileSchema } from '../../../../server/sources/targets-file/targets-schema.ts';
import { targetsToInventory } from '../../../../server/sources/targets-file/targets-to-inventory.ts';

const dump = (bootstrap: unknown) => ({
  configs: [
    { '@type': 'type.googleapis.com/envoy.admin.v3.BootstrapConfigDump', bootstrap },
    { '@type': 'type.googleapis.com/envoy.admin.v3.ClustersConfigDump' },
  ],
});

describe('runtimeDiskLayerFromConfigDump', () => {
  it('takes the last disk layer of layered_runtime (the one that wins on disk)', () => {
    const doc = dump({
      node: { id: 'frontend.default', cluster: 'frontend' },
      layered_runtime: {
        layers: [
          { name: 'static', static_layer: { a: 1 } },
          { name: 'base', disk_layer: { symlink_root: '/srv/runtime/base' } },
          { name: 'override', disk_layer: { symlink_root: '/srv/runtime/current', subdirectory: 'envoy' } },
          { name: 'admin', admin_layer: {} },
        ],
      },
    });
    expect(runtimeDiskLayerFromConfigDump(doc)).toEqual({
      symlinkRoot: '/srv/runtime/current',
      subdirectory: 'envoy',
      serviceCluster: undefined,
    });
  });

  it('reads lowerCamelCase too, and appends the service cluster when asked', () => {
    const doc = dump({
      node: { cluster: 'reviews' },
      layeredRuntime: {
        layers: [{ name: 'd', diskLayer: { symlinkRoot: '/etc/envoy/rt', appendServiceCluster: true } }],
      },
    });
    expect(runtimeDiskLayerFromConfigDump(doc)).toEqual({
      symlinkRoot: '/etc/envoy/rt',
      subdirectory: '',
      serviceCluster: 'reviews',
    });
  });

  it('is undefined without a bootstrap dump, layered runtime or disk layer', () => {
    expect(runtimeDiskLayerFromConfigDump({ configs: [] })).toBeUndefined();
    expect(runtimeDiskLayerFromConfigDump(dump({}))).toBeUndefined();
    expect(
      runtimeDiskLayerFromConfigDump(dump({ layered_runtime: { layers: [{ name: 'a', admin_layer: {} }] } })),
    ).toBeUndefined();
  });
});

describe('targets file runtimeDir', () => {
  it('gives each replica its disk layer: one shared root, or one per replica', () => {
    const inv = targetsToInventory(
      TargetsFileSchema.parse({
        targets: [
          { workload: 'web', admin: ['http://127.0.0.1:1', 'http://127.0.0.1:2'], runtimeDir: '/rt/web' },
          {
            workload: 'api',
            admin: ['http://127.0.0.1:3', 'http://127.0.0.1:4'],
            runtimeDir: ['/rt/api-0', '/rt/api-1'],
            runtimeSubdirectory: 'envoy',
          },
          { workload: 'db', admin: 'http://127.0.0.1:5' },
        ],
      }),
    );
    expect(inv.sidecars.map((s) => [s.id, s.runtimeDir])).toEqual([
      ['default/web/0', { symlinkRoot: '/rt/web', subdirectory: '' }],
      ['default/web/1', { symlinkRoot: '/rt/web', subdirectory: '' }],
      ['default/api/0', { symlinkRoot: '/rt/api-0', subdirectory: 'envoy' }],
      ['default/api/1', { symlinkRoot: '/rt/api-1', subdirectory: 'envoy' }],
      ['default/db/0', undefined],
    ]);
  });
});
