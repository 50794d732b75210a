// Bootstrap (schema output) → model Bootstrap. Clusters first, so routes can be checked against them.

import { type FieldPath, fail } from './config-error.ts';
import { convertAccessLog } from './convert-access-log.ts';
import { convertClusters } from './convert-cluster.ts';
import { convertListeners, type ListenerContext } from './convert-listener.ts';
import type { Bootstrap, RuntimeLayer } from './model.ts';
import type { BootstrapInput } from './schema-bootstrap.ts';

export interface ConvertOptions {
  /** Envoy's --service-node / --service-cluster: override node.id / node.cluster. */
  serviceNode?: string;
  serviceCluster?: string;
  loadRds: ListenerContext['loadRds'];
}

type LayersInput = NonNullable<NonNullable<BootstrapInput['layered_runtime']>['layers']>;

function convertLayers(layers: LayersInput, path: FieldPath): RuntimeLayer[] {
  // Envoy: a layered_runtime with no layers gets a single admin layer.
  if (layers.length === 0) return [{ kind: 'admin', name: '' }];
  let adminLayers = 0;
  return layers.map((layer, i): RuntimeLayer => {
    const layerPath = [...path, i];
    const set = (['static_layer', 'disk_layer', 'admin_layer'] as const).filter(
      (k) => layer[k] !== undefined,
    );
    if (set.length !== 1) {
      fail(
        set.length === 0 ? layerPath : [...layerPath, set[1]!],
        set.length === 0
          ? 'needs one of static_layer, disk_layer, admin_layer'
          : `must not be set together with ${set[0]} (a layer is exactly one kind)`,
      );
    }
    const name = layer.name ?? '';
    if (layer.static_layer !== undefined) return { kind: 'static', name, values: layer.static_layer };
    if (layer.disk_layer !== undefined) {
      const disk = layer.disk_layer;
      return {
        kind: 'disk',
        name,
        symlinkRoot: disk.symlink_root,
        subdirectory: disk.subdirectory ?? '',
        appendServiceCluster: disk.append_service_cluster ?? false,
      };
    }
    // Envoy allows one admin layer: /runtime_modify writes into it.
    adminLayers++;
    if (adminLayers > 1)
      fail([...layerPath, 'admin_layer'], 'is a second admin layer; at most one is allowed');
    return { kind: 'admin', name };
  });
}

export function convertBootstrap(
  input: BootstrapInput,
  raw: Record<string, unknown>,
  opts: ConvertOptions,
): Bootstrap {
  const clusters = convertClusters(input.static_resources?.clusters ?? [], ['static_resources', 'clusters']);
  const listeners = convertListeners(
    input.static_resources?.listeners ?? [],
    ['static_resources', 'listeners'],
    {
      clusterNames: new Set(clusters.map((c) => c.name)),
      loadRds: opts.loadRds,
    },
  );
  const admin = input.admin;
  const adminSocket = admin?.address?.socket_address;
  const adminLogs = (admin?.access_log ?? []).map((log, i) =>
    convertAccessLog(log, ['admin', 'access_log', i]),
  );
  return {
    node: {
      id: opts.serviceNode ?? input.node?.id ?? '',
      cluster: opts.serviceCluster ?? input.node?.cluster ?? '',
    },
    // Without an address Envoy runs no admin interface.
    ...(adminSocket !== undefined
      ? {
          admin: {
            address: { address: adminSocket.address, port: adminSocket.port_value },
            ...(admin?.access_log_path !== undefined && admin.access_log_path !== ''
              ? { accessLogPath: admin.access_log_path }
              : {}),
            ...(adminLogs.length > 0 ? { accessLogs: adminLogs } : {}),
          },
        }
      : {}),
    listeners,
    clusters,
    // Envoy: no layered_runtime at all means no layers (every runtime key reads its default).
    layeredRuntime:
      input.layered_runtime === undefined
        ? []
        : convertLayers(input.layered_runtime.layers ?? [], ['layered_runtime', 'layers']),
    raw,
  };
}
