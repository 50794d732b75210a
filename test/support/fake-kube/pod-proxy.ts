// The `pods/proxy` subresource: `/api/v1/namespaces/<ns>/pods/<name>[:<port>]/proxy/<path>?<query>`
// is forwarded to `http://<podIP>:<port>/<path>?<query>`, which is how kubectl proxy and the dashboard
// (from a laptop) reach a pod's sidecar admin. Like the API server, the client's credentials are not
// passed on to the pod, and an unreachable pod is a 503.
import http from 'node:http';
import { ApiError } from './api-status.ts';
import type { KubeObject, ObjectStore } from './object-store.ts';
import type { ResourceRoute } from './resource-route.ts';

/** Serves a `pods/<target>/proxy/<rest>` route: finds the pod in `store` and forwards to it. */
export function servePodProxy(
  store: ObjectStore,
  req: http.IncomingMessage,
  res: http.ServerResponse,
  route: ResourceRoute & { namespace: string; name: string },
  search: string,
): void {
  const target = parseProxyTarget(route.name);
  if (target.scheme !== 'http') throw new ApiError(400, 'BadRequest', 'only http pod proxying is faked');
  const pod = store.get('pods', route.namespace, target.name);
  if (!pod) throw new ApiError(404, 'NotFound', `pods "${target.name}" not found`);
  proxyToPod(req, res, pod, resolvePodPort(pod, target.port), `${route.rest || '/'}${search}`);
}

/** `name`, `name:port` or `scheme:name:port` (the API server's proxy target syntax). */
export function parseProxyTarget(target: string): { scheme: string; name: string; port: string } {
  const parts = target.split(':');
  if (parts.length === 1) return { scheme: 'http', name: parts[0] ?? '', port: '' };
  if (parts.length === 2) return { scheme: 'http', name: parts[0] ?? '', port: parts[1] ?? '' };
  return { scheme: parts[0] ?? '', name: parts[1] ?? '', port: parts[2] ?? '' };
}

interface PodShape {
  spec?: { containers?: { ports?: { containerPort?: number; name?: string }[] }[] };
  status?: { podIP?: string };
}

/** The pod's port: a number, a named containerPort, or (when absent) the first declared port. */
export function resolvePodPort(pod: KubeObject, port: string): number {
  const ports = ((pod as PodShape).spec?.containers ?? []).flatMap((c) => c.ports ?? []);
  if (/^\d+$/.test(port)) return Number(port);
  const found = port === '' ? ports[0] : ports.find((p) => p.name === port);
  if (found?.containerPort === undefined) {
    throw new ApiError(503, 'ServiceUnavailable', `no port ${JSON.stringify(port)} on pod`);
  }
  return found.containerPort;
}

const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'transfer-encoding',
  'upgrade',
  'te',
  'trailer',
  'host',
  'authorization',
]);

/** Forwards the request to the pod and streams the answer back. */
export function proxyToPod(
  req: http.IncomingMessage,
  res: http.ServerResponse,
  pod: KubeObject,
  port: number,
  pathAndQuery: string,
): void {
  const podIP = (pod as PodShape).status?.podIP;
  if (!podIP) throw new ApiError(503, 'ServiceUnavailable', `pod ${pod.metadata.name} has no IP yet`);
  const headers: http.OutgoingHttpHeaders = {};
  for (const [k, v] of Object.entries(req.headers)) if (!HOP_BY_HOP.has(k)) headers[k] = v;
  const upstream = http.request(
    { host: podIP, port, path: pathAndQuery, method: req.method, headers, agent: false },
    (up) => {
      const out: http.OutgoingHttpHeaders = {};
      for (const [k, v] of Object.entries(up.headers)) if (!HOP_BY_HOP.has(k)) out[k] = v;
      res.writeHead(up.statusCode ?? 502, out);
      up.pipe(res);
    },
  );
  upstream.on('error', (e) => {
    if (res.headersSent) {
      res.destroy();
      return;
    }
    const body = JSON.stringify({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: `error trying to reach service: ${e.message}`,
      reason: 'ServiceUnavailable',
      code: 503,
    });
    res.writeHead(503, { 'content-type': 'application/json' }).end(body);
  });
  req.pipe(upstream);
}
