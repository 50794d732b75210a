// Which ConfigMap key holds a sidecar's bootstrap, from its pod spec (pure): the sidecar container's
// `-c` / `--config-path` argument (Envoy's command line; in `command` or `args`) names a file; the
// volume mounted over it is a ConfigMap whose key is projected as that file (at the mount's root by
// its own name, or where the volume's `items` put it; or, with `subPath`, the mount is the file). This
// is the seed labs' layout: ConfigMap envoy-config, key envoy.yaml, mounted at /etc/envoy, `-c
// /etc/envoy/envoy.yaml`.
import { posix } from 'node:path';

export interface PodBootstrapSpec {
  metadata?: { namespace?: string; name?: string };
  spec?: {
    containers?: {
      name: string;
      command?: string[];
      args?: string[];
      volumeMounts?: { name: string; mountPath: string; subPath?: string; subPathExpr?: string }[];
    }[];
    volumes?: { name: string; configMap?: { name?: string; items?: { key: string; path: string }[] } }[];
  };
}

export type BootstrapConfigMap =
  | {
      ok: true;
      configMap: string;
      key: string;
      configPath: string;
      /** A subPath mount is never updated by the kubelet: only a restart reads the new text. */
      subPath: boolean;
    }
  | { ok: false; reason: string };

/** `-c <path>`, `-c=<path>`, `--config-path <path>`, `--config-path=<path>`. */
export function configPathOf(argv: readonly string[]): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '-c' || a === '--config-path') return argv[i + 1];
    const m = /^(?:-c|--config-path)=(.+)$/.exec(a);
    if (m) return m[1];
  }
  return undefined;
}

export function bootstrapConfigMapFor(pod: PodBootstrapSpec, containerName: string): BootstrapConfigMap {
  const podName = `${pod.metadata?.namespace ?? ''}/${pod.metadata?.name ?? ''}`;
  const container = pod.spec?.containers?.find((c) => c.name === containerName);
  if (container === undefined)
    return { ok: false, reason: `pod ${podName} has no container ${containerName}` };
  const path = configPathOf([...(container.command ?? []), ...(container.args ?? [])]);
  if (path === undefined) {
    return {
      ok: false,
      reason: `container ${containerName} of pod ${podName} has no -c / --config-path argument`,
    };
  }
  const file = posix.normalize(path);
  let best: { name: string; mountPath: string; subPath: string | undefined } | undefined;
  for (const m of container.volumeMounts ?? []) {
    const mountPath = posix.normalize(m.mountPath).replace(/\/$/, '') || '/';
    const inside = file === mountPath || file.startsWith(mountPath === '/' ? '/' : `${mountPath}/`);
    if (inside && (best === undefined || mountPath.length > best.mountPath.length)) {
      best = { name: m.name, mountPath, subPath: m.subPath || m.subPathExpr || undefined };
    }
  }
  if (best === undefined) return { ok: false, reason: `no volume of pod ${podName} is mounted over ${path}` };
  const volume = pod.spec?.volumes?.find((v) => v.name === best.name);
  const configMap = volume?.configMap?.name;
  if (configMap === undefined) {
    return {
      ok: false,
      reason: `volume '${best.name}' mounted over ${path} in pod ${podName} is not a ConfigMap`,
    };
  }
  // With subPath the mount is the file itself, and subPath is its path inside the volume.
  const rel =
    best.subPath !== undefined ? posix.normalize(best.subPath) : posix.relative(best.mountPath, file);
  const items = volume?.configMap?.items ?? [];
  const key = items.length > 0 ? items.find((i) => posix.normalize(i.path) === rel)?.key : rel;
  if (key === undefined || key === '' || key.includes('/')) {
    return { ok: false, reason: `ConfigMap ${configMap} projects no key as ${path} in pod ${podName}` };
  }
  return { ok: true, configMap, key, configPath: path, subPath: best.subPath !== undefined };
}
