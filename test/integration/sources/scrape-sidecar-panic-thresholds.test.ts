// scrapeSidecar reads each cluster's healthy_panic_threshold from /config_dump, and keeps the previous
// scrape's when /config_dump fails, as it keeps the other config_dump facts. A small admin server stands
// in for an Envoy that sets it, so /config_dump can fail on demand (the real proxy's config_dump is read
// in test/integration/policies/healthy-panic-threshold.test.ts).
import http from 'node:http';
import type net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SidecarTarget } from '../../../server/model/inventory.ts';
import { scrapeSidecar } from '../../../server/sources/envoy/scrape-sidecar.ts';

const T = 'type.googleapis.com/';
const configDump = {
  configs: [
    {
      '@type': `${T}envoy.admin.v3.ClustersConfigDump`,
      staticClusters: [
        { cluster: { '@type': `${T}envoy.config.cluster.v3.Cluster`, name: 'backend_v1' } },
        {
          cluster: {
            '@type': `${T}envoy.config.cluster.v3.Cluster`,
            name: 'backend_v2',
            commonLbConfig: { healthyPanicThreshold: {} },
          },
        },
      ],
    },
  ],
};

let server: http.Server;
let url: string;
let configDumpFails = false;

beforeAll(async () => {
  server = http.createServer((req, res) => {
    if (req.url?.startsWith('/stats/prometheus')) {
      res.end(
        '# TYPE envoy_cluster_upstream_rq_total counter\nenvoy_cluster_upstream_rq_total{envoy_cluster_name="backend_v1"} 1\n',
      );
    } else if (req.url === '/clusters?format=json') res.end('{"cluster_statuses":[]}');
    else if (req.url === '/config_dump' && !configDumpFails) res.end(JSON.stringify(configDump));
    else if (req.url === '/runtime') res.end('{"layers":[],"entries":{}}');
    else res.writeHead(404).end('not found\n');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

const target = (): SidecarTarget => ({
  id: 'default/frontend/0',
  namespace: 'default',
  workload: 'frontend',
  pod: undefined,
  kind: 'envoy',
  admin: { baseUrl: url },
  statsPath: '/stats/prometheus',
});

describe('scrapeSidecar: panic thresholds', () => {
  it('reads them from /config_dump and keeps the previous ones when it fails', async () => {
    configDumpFails = false;
    const first = await scrapeSidecar(target(), { timeoutMs: 5000 });
    expect(first.warnings).toEqual([]);
    expect(first.panicThresholds).toEqual(new Map([['backend_v2', 0]]));
    configDumpFails = true;
    const second = await scrapeSidecar(target(), { timeoutMs: 5000, previous: first });
    expect(second.warnings).toEqual([
      `default/frontend/0: GET ${url}/config_dump failed: HTTP 404: not found`,
    ]);
    expect(second.panicThresholds).toBe(first.panicThresholds);
  });
});
