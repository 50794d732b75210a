// The sidecar lab with traffic policies, as the dashboard's policy tests run it: the lab's bootstrap
// (test/integration/policies/lab-bootstrap.ts) on meshscope-proxy with circuit breakers (backend_v1:
// max_connections 1, max_pending_requests 1, as in the lab's load test; backend_v2: the lab's
// 100 / 50 / 100), the route mirrored to a shadow backend, and optionally the lab's retry and timeout
// challenges; plus a targets file naming the frontend sidecar and the three backends by ip:port.
import { labBootstrap } from '../integration/policies/lab-bootstrap.ts';
import { seedLabWorkloads, writeLabTargets } from './lab-targets.ts';
import { type BackendProcess, type ProxyProcess, startBackend, startProxy } from './processes.ts';

export interface PolicyLab {
  proxy: ProxyProcess;
  v1: BackendProcess;
  v2: BackendProcess;
  shadow: BackendProcess;
  /** The targets file for `meshscope --targets`. */
  targets: string;
}

export async function startPolicyLab(
  dir: string,
  opts: { retriesAndTimeout?: boolean } = {},
): Promise<PolicyLab> {
  const [v1, v2, shadow] = await Promise.all([
    startBackend({ name: 'v1' }),
    startBackend({ name: 'v2' }),
    startBackend({ name: 'shadow' }),
  ]);
  const lab = labBootstrap({ backend_v1: v1.port, backend_v2: v2.port });
  lab.cluster('backend_v1')['circuit_breakers'] = {
    thresholds: [{ priority: 'DEFAULT', max_connections: 1, max_pending_requests: 1 }],
  };
  lab.cluster('backend_v2')['circuit_breakers'] = {
    thresholds: [{ priority: 'DEFAULT', max_connections: 100, max_pending_requests: 50, max_requests: 100 }],
  };
  const clusters = (lab.doc['static_resources'] as { clusters: unknown[] }).clusters;
  clusters.push({
    name: 'backend_shadow',
    connect_timeout: '0.25s',
    type: 'STATIC',
    load_assignment: {
      cluster_name: 'backend_shadow',
      endpoints: [
        {
          lb_endpoints: [
            { endpoint: { address: { socket_address: { address: '127.0.0.1', port_value: shadow.port } } } },
          ],
        },
      ],
    },
  });
  const route = (lab.routes[0] as { route: Record<string, unknown> }).route;
  route['request_mirror_policies'] = [{ cluster: 'backend_shadow' }];
  if (opts.retriesAndTimeout === true) {
    // The lab's challenges 1 and 2.
    route['retry_policy'] = { retry_on: '5xx', num_retries: 3 };
    route['timeout'] = '3s';
  }
  const proxy = await startProxy(lab.doc);
  const targets = writeLabTargets(dir, proxy.adminUrl, [
    ...seedLabWorkloads(v1.port, v2.port),
    { workload: 'backend-shadow', app: 'backend', version: 'shadow', port: shadow.port },
  ]);
  return { proxy, v1, v2, shadow, targets };
}
