// The envoy-sidecar-lab.md bootstrap as the policy tests run it: the lab's own document (listener,
// http_connection_manager, 80/20 weighted route, two clusters, admin), with only what a test machine
// needs changed — loopback addresses with free ports instead of 0.0.0.0:10000/9901 and the Kubernetes
// Service names — and the lab's policy fragments (circuit_breakers, retry_policy, timeout) spliced in
// where the lab says to put them. Plus a closed-loop load generator shaped like fortio's `load -c N -n M`.
import http from 'node:http';
import { parse } from 'yaml';
import { seedBootstraps, seedFragment } from '../../support/seed-blocks.ts';

export const LAB = 'envoy-sidecar-lab.md';

type Obj = Record<string, unknown>;

function obj(x: unknown, what: string): Obj {
  if (typeof x !== 'object' || x === null || Array.isArray(x)) throw new Error(`${what} is not a mapping`);
  return x as Obj;
}

function arr(x: unknown, what: string): unknown[] {
  if (!Array.isArray(x)) throw new Error(`${what} is not a list`);
  return x;
}

export interface LabBootstrap {
  doc: Obj;
  /** The lab's `backend_v1` / `backend_v2` clusters (mutable). */
  cluster(name: string): Obj;
  /** The listener's route list (mutable). */
  routes: unknown[];
  /** The http_connection_manager's typed_config (mutable). */
  hcm: Obj;
}

/** The lab's bootstrap with its clusters pointed at 127.0.0.1:<port> (STATIC) and free ports for listener and admin. */
export function labBootstrap(ports: { backend_v1: number; backend_v2: number }): LabBootstrap {
  const doc = obj(parse(seedBootstraps(LAB)[0]!.text), 'the lab bootstrap');
  const sr = obj(doc['static_resources'], 'static_resources');
  const listener = obj(arr(sr['listeners'], 'listeners')[0], 'listener');
  obj(listener['address'], 'address')['socket_address'] = { address: '127.0.0.1', port_value: 0 };
  doc['admin'] = { address: { socket_address: { address: '127.0.0.1', port_value: 0 } } };
  const chain = obj(arr(listener['filter_chains'], 'filter_chains')[0], 'filter chain');
  const hcm = obj(obj(arr(chain['filters'], 'filters')[0], 'filter')['typed_config'], 'hcm');
  const vh = obj(arr(obj(hcm['route_config'], 'route_config')['virtual_hosts'], 'virtual_hosts')[0], 'vh');
  const clusters = arr(sr['clusters'], 'clusters').map((c) => obj(c, 'cluster'));
  for (const c of clusters) {
    const name = c['name'] as keyof typeof ports;
    c['type'] = 'STATIC';
    c['load_assignment'] = {
      cluster_name: name,
      endpoints: [
        {
          lb_endpoints: [
            { endpoint: { address: { socket_address: { address: '127.0.0.1', port_value: ports[name] } } } },
          ],
        },
      ],
    };
  }
  return {
    doc,
    hcm,
    routes: arr(vh['routes'], 'routes'),
    cluster: (name) => {
      const c = clusters.find((x) => x['name'] === name);
      if (!c) throw new Error(`no cluster ${name} in the lab`);
      return c;
    },
  };
}

/** A lab yaml fragment (the first block containing `marker`), parsed. */
export function labFragment(marker: string): Obj {
  return obj(seedFragment(LAB, marker), `the lab fragment with ${marker}`);
}

/** Access log to stdout with the flags and upstream host, one line per request. */
export function withAccessLog(hcm: Obj): void {
  hcm['access_log'] = [
    {
      name: 'envoy.access_loggers.stdout',
      typed_config: {
        '@type': 'type.googleapis.com/envoy.extensions.access_loggers.stream.v3.StdoutAccessLog',
        log_format: {
          text_format_source: {
            inline_string: 'LOG %REQ(:PATH)% %RESPONSE_CODE% %RESPONSE_FLAGS% %UPSTREAM_CLUSTER%\n',
          },
        },
      },
    },
  ];
}

export interface Reply {
  status: number;
  body: string;
  headers: http.IncomingHttpHeaders;
}

export function get(url: string, agent?: http.Agent, headers: Record<string, string> = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { agent: agent ?? false, headers }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (s: string) => {
          body += s;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body, headers: res.headers }));
        res.on('error', reject);
      })
      .on('error', reject);
  });
}

/**
 * fortio `load -c <clients> -n <total> -qps 0`: `clients` keep-alive connections, each sending its next
 * request as soon as the previous answer is in. Resolves with the count of each status.
 */
export async function closedLoop(url: string, clients: number, total: number): Promise<Map<number, number>> {
  const byStatus = new Map<number, number>();
  let left = total;
  const client = async () => {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    try {
      while (left > 0) {
        left--;
        const r = await get(url, agent);
        byStatus.set(r.status, (byStatus.get(r.status) ?? 0) + 1);
      }
    } finally {
      agent.destroy();
    }
  };
  await Promise.all(Array.from({ length: clients }, client));
  return byStatus;
}

/**
 * A Prometheus sample's value from /stats/prometheus text: the series `name` of `cluster` with the
 * other `labels` given (in any order); undefined when the series is absent.
 */
export function promValue(
  text: string,
  name: string,
  cluster: string,
  labels: Record<string, string> = {},
): number | undefined {
  const want = { envoy_cluster_name: cluster, ...labels };
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`)) continue;
    const close = line.lastIndexOf('}');
    const found = new Map(
      [...line.slice(name.length + 1, close).matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]),
    );
    if (found.size !== Object.keys(want).length) continue;
    if (Object.entries(want).every(([k, v]) => found.get(k) === v)) return Number(line.slice(close + 2));
  }
  return undefined;
}

/** `upstream_rq_<code>` of a cluster, as Envoy's tag extraction renders it. */
export function upstreamCode(text: string, cluster: string, code: number): number | undefined {
  return promValue(text, 'envoy_cluster_upstream_rq', cluster, { envoy_response_code: String(code) });
}
