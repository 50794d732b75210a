// Whether a pod has a sidecar to scrape, which kind, and on which port and path its stats are served.
// Pure: reads the pod spec and annotations only.
import type { V1Container, V1Pod } from '@kubernetes/client-node';
import type { SidecarKind } from '../../../shared/api/sidecars.ts';

export interface PodSidecar {
  kind: SidecarKind;
  /** Port of the admin (or stats) endpoint on the pod IP. */
  port: number;
  /** Path of the Prometheus text endpoint on that port. */
  statsPath: string;
}

export const ADMIN_PORT_ANNOTATION = 'meshscope.io/admin-port';
/** Envoy's conventional admin port (the examples' `admin.address`). */
export const DEFAULT_ENVOY_ADMIN_PORT = 9901;
/**
 * Istio binds the Envoy admin (15000) to localhost only, so from outside the pod only the Prometheus
 * listener Envoy serves on 15090 (`/stats/prometheus`) and the agent's merged endpoint on 15020 answer.
 */
export const ISTIO_ENVOY_STATS_PORT = 15090;
const ENVOY_STATS_PATH = '/stats/prometheus';
/** Prometheus's default `metrics_path`, for a `prometheus.io/scrape` pod that names no path. */
const PROMETHEUS_DEFAULT_PATH = '/metrics';

const SIDECAR_CONTAINERS: Readonly<Record<string, SidecarKind>> = {
  envoy: 'envoy',
  'istio-proxy': 'istio-proxy',
  'meshscope-proxy': 'meshscope-proxy',
};

/**
 * The sidecar container: a regular container with a sidecar's name, or a native sidecar (an init
 * container with `restartPolicy: Always`, KEP-753), which is where Istio's native-sidecar mode puts
 * istio-proxy.
 */
export function sidecarContainer(pod: V1Pod): { container: V1Container; kind: SidecarKind } | undefined {
  const candidates = [
    ...(pod.spec?.containers ?? []),
    ...(pod.spec?.initContainers ?? []).filter((c) => c.restartPolicy === 'Always'),
  ];
  for (const container of candidates) {
    const kind = SIDECAR_CONTAINERS[container.name];
    if (kind) return { container, kind };
  }
  return undefined;
}

function portAnnotation(value: string | undefined): number | undefined {
  if (value === undefined || !/^\d+$/.test(value.trim())) return undefined;
  const port = Number(value);
  return port > 0 && port < 65536 ? port : undefined;
}

/** The pod's sidecar, or undefined when it has none. */
export function podSidecar(pod: V1Pod): PodSidecar | undefined {
  const annotations = pod.metadata?.annotations ?? {};
  const found = sidecarContainer(pod);
  const adminPort = portAnnotation(annotations[ADMIN_PORT_ANNOTATION]);
  const scrape = annotations['prometheus.io/scrape'] === 'true';
  if (!found && adminPort === undefined && !scrape) return undefined;
  // A pod announced only by annotations runs an Envoy-compatible proxy we cannot name.
  const kind = found?.kind ?? 'envoy';

  if (adminPort !== undefined) return { kind, port: adminPort, statsPath: ENVOY_STATS_PATH };

  // `prometheus.io/*` describes whatever Prometheus should scrape. On a pod with an envoy or meshscope
  // container that is often the application's own metrics, so it is taken only when it names Envoy's
  // stats path, when Istio set it (it points at the merged :15020 endpoint), or when no sidecar
  // container is there to tell us better.
  const promPort = portAnnotation(annotations['prometheus.io/port']);
  const promPath = annotations['prometheus.io/path'];
  if (
    scrape &&
    promPort !== undefined &&
    (!found || kind === 'istio-proxy' || promPath === ENVOY_STATS_PATH)
  ) {
    return { kind, port: promPort, statsPath: promPath ?? PROMETHEUS_DEFAULT_PATH };
  }

  if (kind === 'istio-proxy') return { kind, port: ISTIO_ENVOY_STATS_PORT, statsPath: ENVOY_STATS_PATH };

  const containers = found ? [found.container] : (pod.spec?.containers ?? []);
  const named = containers.flatMap((c) => c.ports ?? []).find((p) => p.name === 'admin');
  return { kind, port: named?.containerPort ?? DEFAULT_ENVOY_ADMIN_PORT, statsPath: ENVOY_STATS_PATH };
}
