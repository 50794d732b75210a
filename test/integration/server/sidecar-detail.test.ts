// The side panel's live sidecar endpoints over real HTTP: the dashboard app (the real Dashboard over a
// fixed inventory) asking a real proxy's admin API for /clusters and /config_dump, an unknown id, a
// sidecar that does not answer, and an id that is not one.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../../server/app.ts';
import { Dashboard } from '../../../server/dashboard.ts';
import type { Inventory, SidecarTarget } from '../../../server/model/inventory.ts';
import { ApiErrorSchema } from '../../../shared/api/errors.ts';
import { SidecarClustersSchema } from '../../../shared/api/sidecar-detail.ts';
import { staticBootstrap } from '../../support/envoy-bootstrap.ts';
import { freePort, type ProxyProcess, startProxy, stopAll } from '../../support/processes.ts';

let proxy: ProxyProcess;
let server: http.Server;
let base = '';
let deadPort = 0;

function target(id: string, baseUrl: string): SidecarTarget {
  return {
    id,
    namespace: 'default',
    workload: id.split('/')[1]!,
    pod: undefined,
    kind: 'meshscope-proxy',
    admin: { baseUrl },
    statsPath: '/stats/prometheus',
  };
}

beforeAll(async () => {
  const [p1, p2, p3] = [await freePort(), await freePort(), await freePort()];
  const bootstrap = staticBootstrap({
    clusters: [
      { name: 'backend_v1', endpoints: [{ port: p1 }, { port: p2 }] },
      { name: 'backend_v2', endpoints: [{ port: p3 }] },
    ],
  });
  // A load-balancing weight the panel must show as configured.
  const v2 = bootstrap.static_resources.clusters[1]!.load_assignment.endpoints[0]!.lb_endpoints[0]!;
  Object.assign(v2, { load_balancing_weight: 3 });
  proxy = await startProxy(bootstrap);
  deadPort = await freePort();
  const inventory: Inventory = {
    workloads: [],
    services: [],
    sidecars: [
      target('default/frontend/0', proxy.adminUrl),
      target('default/gone/0', `http://127.0.0.1:${deadPort}`),
    ],
  };
  const dashboard = new Dashboard({
    inventory: {
      current: () => inventory,
      onChange: () => {},
      start: async () => {},
      stop: async () => {},
    },
    traffic: {
      windowSeconds: 60,
      updatedAt: 0,
      latest: () => undefined,
      clusterTraffic: () => undefined,
      istioTraffic: () => [],
      inboundTraffic: () => undefined,
    },
    statuses: () => [],
    windows: [60],
  });
  server = http.createServer(createApp(dashboard));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server?.closeAllConnections();
  server?.close();
  await stopAll();
});

const url = (id: string, what: string) => `${base}/api/sidecars/${encodeURIComponent(id)}/${what}`;

describe('GET /api/sidecars/:id/clusters', () => {
  it("lists the proxy's clusters with their hosts, ports, weights and health", async () => {
    const r = await fetch(url('default/frontend/0', 'clusters'));
    expect(r.status).toBe(200);
    const body = SidecarClustersSchema.parse(await r.json());
    expect(body.sidecarId).toBe('default/frontend/0');
    expect(Math.abs(body.fetchedAt - Date.now())).toBeLessThan(10_000);
    const byName = new Map(body.clusters.map((c) => [c.name, c]));
    const v1 = byName.get('backend_v1')!;
    expect(v1.hosts.map((h) => h.address)).toEqual(['127.0.0.1', '127.0.0.1']);
    expect(v1.hosts.every((h) => h.healthy && h.weight === 1)).toBe(true);
    expect(v1.healthyHosts).toBe(2);
    const v2 = byName.get('backend_v2')!;
    expect(v2.hosts).toHaveLength(1);
    expect(v2.hosts[0]!.weight).toBe(3);
    expect(v2.healthyHosts).toBe(1);
    // Sorted by name, so the panel's list does not jump between refreshes.
    const names = body.clusters.map((c) => c.name);
    expect(names).toEqual([...names].sort());
  });

  it('is a 404 for a sidecar discovery does not know', async () => {
    const r = await fetch(url('default/nobody/0', 'clusters'));
    expect(r.status).toBe(404);
    const body = ApiErrorSchema.parse(await r.json());
    expect(body.error.message).toContain('default/nobody/0');
  });

  it('is a 502 naming the sidecar and the cause when it does not answer', async () => {
    const r = await fetch(url('default/gone/0', 'clusters'));
    expect(r.status).toBe(502);
    const body = ApiErrorSchema.parse(await r.json());
    expect(body.error.code).toBe('sidecar_unreachable');
    expect(body.error.message).toContain("sidecar 'default/gone/0' did not answer");
    expect(body.error.message).toContain('connection refused');
    expect(body.error.message).toContain(String(deadPort));
  });

  it('is a 400 for something that is not a sidecar id', async () => {
    const r = await fetch(url('default/<script>', 'clusters'));
    expect(r.status).toBe(400);
    expect(ApiErrorSchema.parse(await r.json()).error.field).toBe('id');
  });
});

describe('GET /api/sidecars/:id/config_dump', () => {
  it("passes the proxy's configuration through as JSON", async () => {
    const r = await fetch(url('default/frontend/0', 'config_dump'));
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toMatch(/^application\/json/);
    const text = await r.text();
    expect(text).toBe((await proxy.admin('/config_dump')).body);
    const doc = JSON.parse(text) as { configs: { '@type': string }[] };
    expect(doc.configs.map((c) => c['@type'])).toContain(
      'type.googleapis.com/envoy.admin.v3.BootstrapConfigDump',
    );
    expect(text).toContain('backend_v2');
  });

  it('is a 404 for an unknown sidecar and a 502 for one that does not answer', async () => {
    expect((await fetch(url('default/nobody/0', 'config_dump'))).status).toBe(404);
    const r = await fetch(url('default/gone/0', 'config_dump'));
    expect(r.status).toBe(502);
    expect(ApiErrorSchema.parse(await r.json()).error.message).toContain('/config_dump');
  });
});
