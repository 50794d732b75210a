// How the dashboard reaches a sidecar's admin port: straight at `podIP:port` when it runs inside the
// cluster, or through the API server's `pods/proxy` subresource
// (`/api/v1/namespaces/<ns>/pods/<pod>:<port>/proxy/<path>`) when it runs on a laptop with a
// kubeconfig, carrying the kubeconfig's credentials. Pure.
import type { AdminEndpoint } from '../../model/inventory.ts';

/** What `pods/proxy` requests need from the kubeconfig: the server URL and its credentials. */
export interface ApiServerAccess {
  /** The cluster's `server`, e.g. `https://10.0.0.1:6443` (a path prefix is kept). */
  server: string;
  headers: Record<string, string>;
  tls?: AdminEndpoint['tls'];
}

export type AdminAccess = { mode: 'direct' } | { mode: 'api-server'; apiServer: ApiServerAccess };

/** In a pod, the kubelet sets KUBERNETES_SERVICE_HOST; pod IPs are routable from there. */
export function runningInCluster(env: NodeJS.ProcessEnv = process.env): boolean {
  return Boolean(env['KUBERNETES_SERVICE_HOST']);
}

function hostPort(ip: string, port: number): string {
  return ip.includes(':') ? `[${ip}]:${port}` : `${ip}:${port}`;
}

export function adminEndpointOf(
  access: AdminAccess,
  pod: { namespace: string; name: string; ip: string },
  port: number,
): AdminEndpoint {
  if (access.mode === 'direct') return { baseUrl: `http://${hostPort(pod.ip, port)}` };
  const { server, headers, tls } = access.apiServer;
  const ns = encodeURIComponent(pod.namespace);
  const name = encodeURIComponent(pod.name);
  const endpoint: AdminEndpoint = {
    baseUrl: `${server.replace(/\/+$/, '')}/api/v1/namespaces/${ns}/pods/${name}:${port}/proxy`,
    headers: { ...headers },
  };
  if (tls) endpoint.tls = { ...tls };
  return endpoint;
}
