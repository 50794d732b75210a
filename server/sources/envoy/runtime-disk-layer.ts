// `/config_dump` → the bootstrap's runtime disk layer, if any. Envoy prints the bootstrap it started
// with in `envoy.admin.v3.BootstrapConfigDump.bootstrap`, `layered_runtime` included; layers are listed
// lowest priority first and a later layer overrides an earlier one (bootstrap.proto, LayeredRuntime), so
// the last `disk_layer` is the one whose values win over the others on disk. The weights API writes the
// values it sets there, so they outlive the admin layer, which a restart empties.
import type { RuntimeDiskLayer } from '../../model/sidecar-data.ts';
import { boolField, objectField, objectList, stringField } from './proto-json.ts';

const BOOTSTRAP_DUMP = 'envoy.admin.v3.BootstrapConfigDump';

export function runtimeDiskLayerFromConfigDump(doc: unknown): RuntimeDiskLayer | undefined {
  for (const config of objectList(doc, 'configs')) {
    const type = config['@type'];
    if (typeof type !== 'string' || !type.endsWith(BOOTSTRAP_DUMP)) continue;
    return runtimeDiskLayerOf(objectField(config, 'bootstrap'));
  }
  return undefined;
}

/** The last `disk_layer` of a bootstrap's `layered_runtime`. */
export function runtimeDiskLayerOf(bootstrap: unknown): RuntimeDiskLayer | undefined {
  const layers = objectList(objectField(bootstrap, 'layered_runtime'), 'layers');
  for (let i = layers.length - 1; i >= 0; i--) {
    const disk = objectField(layers[i], 'disk_layer');
    const symlinkRoot = stringField(disk, 'symlink_root');
    if (disk === undefined || symlinkRoot === undefined || symlinkRoot === '') continue;
    return {
      symlinkRoot,
      subdirectory: stringField(disk, 'subdirectory') ?? '',
      serviceCluster: boolField(disk, 'append_service_cluster')
        ? (stringField(objectField(bootstrap, 'node'), 'cluster') ?? '')
        : undefined,
    };
  }
  return undefined;
}
