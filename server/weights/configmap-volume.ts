// Which ConfigMap keys hold a sidecar's runtime disk layer, from its pod spec (pure). The layer's
// directory (`symlink_root/subdirectory`, a path inside the container) lies in a volume mount; when that
// volume is a ConfigMap, the kubelet projects each key as a file named by the key at the mount's root,
// or, with `items`, at the `path` an item gives it (`a/b/c` for key `a.b.c` is the layout Envoy's
// disk layer reads as `a.b.c`, as is a file named `a.b.c`). The kubelet swaps the whole projection
// through its `..data` symlink (atomic_writer.go), which the disk layer reloads on.
//
// A mount with `subPath` is never updated by the kubelet (Kubernetes docs, ConfigMap: "A container
// using a ConfigMap as a subPath volume mount will not receive ConfigMap updates"): not a place to
// persist anything.
import { posix } from 'node:path';

/** The fields of a Pod this reads (client-node's V1Pod, or the API's JSON). */
export interface PodVolumes {
  metadata?: { namespace?: string; name?: string };
  spec?: {
    containers?: {
      name: string;
      volumeMounts?: { name: string; mountPath: string; subPath?: string; subPathExpr?: string }[];
    }[];
    volumes?: { name: string; configMap?: { name?: string; items?: { key: string; path: string }[] } }[];
  };
}

export type ConfigMapKeys =
  | { ok: true; configMap: string; container: string; keys: Record<string, string> }
  | { ok: false; reason: string };

const CONFIGMAP_KEY = /^[-._a-zA-Z0-9]+$/;

export function configMapKeysFor(
  pod: PodVolumes,
  layerDir: string,
  runtimeKeys: readonly string[],
): ConfigMapKeys {
  const podName = `${pod.metadata?.namespace ?? ''}/${pod.metadata?.name ?? ''}`;
  const dir = posix.normalize(layerDir);
  let best: { container: string; name: string; mountPath: string; subPath: boolean } | undefined;
  for (const c of pod.spec?.containers ?? []) {
    for (const m of c.volumeMounts ?? []) {
      const mountPath = posix.normalize(m.mountPath).replace(/\/$/, '') || '/';
      const inside = dir === mountPath || dir.startsWith(mountPath === '/' ? '/' : `${mountPath}/`);
      if (inside && (best === undefined || mountPath.length > best.mountPath.length)) {
        best = { container: c.name, name: m.name, mountPath, subPath: Boolean(m.subPath || m.subPathExpr) };
      }
    }
  }
  if (best === undefined)
    return { ok: false, reason: `no volume of pod ${podName} is mounted at ${layerDir}` };
  if (best.subPath) {
    return {
      ok: false,
      reason: `${layerDir} is a subPath mount in pod ${podName}, which the kubelet never updates`,
    };
  }
  const volume = pod.spec?.volumes?.find((v) => v.name === best.name);
  const configMap = volume?.configMap?.name;
  if (configMap === undefined) {
    return {
      ok: false,
      reason: `volume '${best.name}' of pod ${podName} (mounted at ${best.mountPath}) is not a ConfigMap`,
    };
  }
  // `<mount>/..data` is the projection itself: the same files.
  const rel = posix.relative(best.mountPath, dir).replace(/^\.\.data(\/|$)/, '');
  const items = volume?.configMap?.items;
  const keys: Record<string, string> = {};
  for (const key of runtimeKeys) {
    const flat = posix.join(rel, key);
    const nested = posix.join(rel, key.split('.').join('/'));
    if (items !== undefined && items.length > 0) {
      const item = items.find((i) => [flat, nested].includes(posix.normalize(i.path)));
      if (item === undefined) {
        return {
          ok: false,
          reason: `ConfigMap ${configMap}'s volume items project no file for runtime key ${key} (an item with path ${flat} would)`,
        };
      }
      keys[key] = item.key;
    } else if (rel !== '') {
      return {
        ok: false,
        reason: `${layerDir} is a subdirectory of ConfigMap ${configMap}'s mount: its keys can only be reached with volume items`,
      };
    } else if (!CONFIGMAP_KEY.test(key)) {
      return {
        ok: false,
        reason: `runtime key ${key} cannot be a ConfigMap key (only letters, digits, '-', '_' and '.'): map it with volume items`,
      };
    } else keys[key] = key;
  }
  return { ok: true, configMap, container: best.container, keys };
}
