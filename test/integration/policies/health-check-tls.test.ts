// Active health checks of a cluster with an UpstreamTlsContext go over TLS, as Envoy's do (through the
// cluster's transport socket): an HTTPS backend whose certificate chains to the trusted CA is healthy;
// one whose certificate does not verify fails its checks. ClusterManager in-process, real sockets.
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Cluster, HealthCheck } from '../../../proxy/config/model.ts';
import { StatsStore } from '../../../proxy/stats/store.ts';
import { ClusterManager } from '../../../proxy/upstream/cluster-manager.ts';
import { hasOpenssl, makeTestPki, type TestPki } from '../../support/test-certs.ts';

const HC: HealthCheck = {
  timeoutMs: 500,
  intervalMs: 300,
  initialJitterMs: 0,
  intervalJitterMs: 0,
  unhealthyThreshold: 1,
  healthyThreshold: 1,
  noTrafficIntervalMs: 300,
  noTrafficHealthyIntervalMs: 300,
  unhealthyIntervalMs: 300,
  unhealthyEdgeIntervalMs: 300,
  healthyEdgeIntervalMs: 300,
  reuseConnection: true,
  http: { path: '/healthz', expectedStatuses: [{ start: 200, end: 201 }], retriableStatuses: [] },
};

let pki: TestPki;
let server: https.Server;
let port = 0;
const seen: { servername: string | undefined; path: string | undefined }[] = [];

function cluster(name: string, tls: Cluster['tls']): Cluster {
  return {
    name,
    type: 'STATIC',
    lbPolicy: 'ROUND_ROBIN',
    connectTimeoutMs: 250,
    dnsRefreshRateMs: 5000,
    dnsLookupFamily: 'V4_ONLY',
    endpoints: [{ address: '127.0.0.1', port, weight: 1 }],
    healthChecks: [HC],
    ...(tls ? { tls } : {}),
  };
}

beforeAll(async () => {
  if (!hasOpenssl) return;
  pki = makeTestPki();
  server = https.createServer({ cert: pki.server.cert, key: pki.server.key }, (req, res) => {
    // The SNI the client sent (tls.TLSSocket#servername on the server side).
    const { servername } = req.socket as TLSSocket & { servername?: string };
    seen.push({ servername, path: req.url });
    res.end('ok');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as AddressInfo).port;
});

afterAll(() => {
  server?.close();
  pki?.remove();
});

describe.skipIf(!hasOpenssl)('health checks over TLS', () => {
  it('check an HTTPS backend with the SNI and trusted CA of the cluster', async () => {
    const store = new StatsStore();
    const cm = new ClusterManager({ stats: store });
    try {
      cm.update([
        cluster('tls_ok', { caFile: pki.caFile, sni: 'backend.mesh.local' }),
        cluster('tls_wrong_ca', { caFile: pki.otherCaFile }),
        cluster('plaintext', undefined),
      ]);
      await cm.ready();
      expect(cm.get('tls_ok')!.hosts[0]!.failedActiveHealthCheck).toBe(false);
      expect(store.counters.get('cluster.tls_ok.health_check.success')?.value).toBe(1);
      expect(seen[0]).toEqual({ servername: 'backend.mesh.local', path: '/healthz' });
      // A certificate that does not chain to trusted_ca, or plain HTTP to a TLS port: network failures.
      expect(cm.get('tls_wrong_ca')!.hosts[0]!.failedActiveHealthCheck).toBe(true);
      expect(store.counters.get('cluster.tls_wrong_ca.health_check.network_failure')?.value).toBe(1);
      expect(cm.get('plaintext')!.hosts[0]!.failedActiveHealthCheck).toBe(true);
    } finally {
      cm.close();
    }
  });
});
