// Alerts end to end: the real bin/meshscope scraping our proxy every 0.5 s over a targets file, paced
// load through a weighted route (runtime weights) to two real backends with active health checking,
// and a second sidecar. Each condition is induced for real and its alert seen to fire, then resolve:
// a stopped backend (its host fails health checks; once its DNS record goes too, as a stopped pod's
// endpoint does, the cluster has no host: 503 UH), a replica's runtime changed behind meshscope's back
// (/runtime_modify straight to the sidecar's admin: drift), a sidecar stopped (scrape failing). Rules
// come from a rules file with short `for`s, as a user would set them.
//
// Why DNS for UH: with its only host failing health checks a cluster is in panic (below Envoy's
// default healthy_panic_threshold of 50%) and still sends to it, so a stopped backend reads UF; UH is
// a cluster with no host at all, which is what a Kubernetes endpoint removal (EDS, or a headless
// Service's DNS) leaves.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import {
  type Alert,
  AlertHistorySchema,
  type AlertList,
  AlertListSchema,
} from '../../../shared/api/alerts.ts';
import { staticBootstrap } from '../../support/envoy-bootstrap.ts';
import { type PacedLoad, pacedLoad } from '../../support/paced-load.ts';
import {
  type BackendProcess,
  type ProxyProcess,
  startBackend,
  startProxy,
  stopAll,
} from '../../support/processes.ts';
import {
  type Dashboard,
  putWeights,
  route,
  routes,
  startDashboard,
  until,
} from '../weights/weights-harness.ts';

const PREFIX = 'routing.split.web';
const HEALTH_CHECK = {
  timeout: '0.5s',
  interval: '0.2s',
  no_traffic_interval: '0.2s',
  unhealthy_threshold: 2,
  healthy_threshold: 2,
  http_health_check: { path: '/' },
};

const RULES = `
rules:
  edge503Ratio: { for: 0s, minRequests: 5 }
  edge5xxRatio: { enabled: false }
  replicaWeightsDrift: { for: 0s }
  sidecarScrapeFailing: { for: 2s }
  weightShareDrift: { enabled: false }
  trafficStopped: { enabled: false }
  unhealthyHosts: { for: 0s }
`;

const V2_NAME = 'web-v2.shop.invalid';

function bootstrap(v1Port: number, v2Port: number) {
  const b = staticBootstrap({
    listeners: [
      {
        routes: [
          {
            weightedClusters: [
              { name: 'web_v1', weight: 50 },
              { name: 'web_v2', weight: 50 },
            ],
          },
        ],
      },
    ],
    clusters: [
      { name: 'web_v1', endpoints: [{ port: v1Port }] },
      { name: 'web_v2', endpoints: [{ port: v2Port }] },
    ],
  });
  const doc = JSON.parse(
    JSON.stringify(b).replace(
      '"weighted_clusters":{',
      `"weighted_clusters":{"runtime_key_prefix":"${PREFIX}",`,
    ),
  );
  for (const c of doc.static_resources.clusters) c.health_checks = [HEALTH_CHECK];
  const v2 = doc.static_resources.clusters[1];
  v2.type = 'STRICT_DNS';
  v2.dns_refresh_rate = '0.2s';
  v2.load_assignment.endpoints[0].lb_endpoints[0].endpoint.address.socket_address.address = V2_NAME;
  return { ...doc, layered_runtime: { layers: [{ name: 'admin', admin_layer: {} }] } };
}

let v1: BackendProcess;
let v2: BackendProcess;
let web: ProxyProcess;
let spare: ProxyProcess;
let load: PacedLoad;
let dir: string;
let dash: Dashboard;
/** A stand-in Alertmanager: every POST /api/v2/alerts body, in order. */
let alertmanager: http.Server;
const received: {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: string;
  endsAt: string;
  generatorURL: string;
}[][] = [];
let hostsFile: string;
const v2Record = (present: boolean) =>
  writeFileSync(hostsFile, present ? `127.0.0.1 ${V2_NAME}\n` : '# gone\n');

let lastList: AlertList | undefined;
async function alerts(): Promise<AlertList> {
  lastList = AlertListSchema.parse(await (await fetch(`${dash.base}/api/alerts`)).json());
  return lastList;
}

async function alertWhere(
  what: string,
  pick: (a: Alert) => boolean,
  state: Alert['state'],
  timeoutMs = 30_000,
): Promise<Alert> {
  return until(
    what,
    async () => (await alerts()).alerts.find((a) => pick(a) && a.state === state),
    timeoutMs,
    () =>
      `${JSON.stringify(lastList?.alerts.map((a) => [a.state, a.annotations.description]))}\n${dash.output()}`,
  );
}

beforeAll(async () => {
  [v1, v2] = await Promise.all([startBackend({ name: 'v1' }), startBackend({ name: 'v2' })]);
  dir = mkdtempSync(join(tmpdir(), 'meshscope-alerts-'));
  hostsFile = join(dir, 'hosts');
  v2Record(true);
  [web, spare] = await Promise.all([
    startProxy(bootstrap(v1.port, v2.port), { hostsFile }),
    startProxy(staticBootstrap({ clusters: [{ name: 'web_v1', endpoints: [{ port: v1.port }] }] })),
  ]);
  const targets = join(dir, 'targets.yaml');
  writeFileSync(
    targets,
    stringify({
      targets: [
        { namespace: 'shop', workload: 'web', kind: 'meshscope-proxy', admin: [web.adminUrl] },
        { namespace: 'shop', workload: 'spare', kind: 'meshscope-proxy', admin: [spare.adminUrl] },
      ],
    }),
  );
  writeFileSync(join(dir, 'rules.yaml'), RULES);
  alertmanager = http.createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => {
      body += d.toString();
    });
    req.on('end', () => {
      if (req.method === 'POST' && req.url === '/api/v2/alerts') received.push(JSON.parse(body));
      res.writeHead(req.url === '/api/v2/alerts' ? 200 : 404).end();
    });
  });
  await new Promise<void>((r) => alertmanager.listen(0, '127.0.0.1', r));
  load = pacedLoad(`http://127.0.0.1:${web.listenerPort}/`, 40);
  dash = await startDashboard([
    '--targets',
    targets,
    '--audit-file',
    join(dir, 'audit.jsonl'),
    '--alert-rules',
    join(dir, 'rules.yaml'),
    '--alert-history',
    join(dir, 'alerts.jsonl'),
    '--alertmanager-url',
    `http://127.0.0.1:${(alertmanager.address() as AddressInfo).port}`,
  ]);
  await until('the weighted route', async () => (await routes(dash.base))[0]);
}, 60_000);

afterAll(async () => {
  load?.stop();
  await dash?.stop();
  alertmanager?.close();
  await stopAll();
});

describe('alerts on real proxies (bin/meshscope)', () => {
  it('starts quiet: healthy traffic raises nothing', async () => {
    await until('a few evaluations', async () => (await alerts()).evaluatedAt > 0);
    await new Promise((r) => setTimeout(r, 2000));
    expect((await alerts()).alerts.filter((a) => a.state !== 'resolved')).toEqual([]);
  });

  it('a stopped backend: unhealthy hosts, then 503 UH once its record is gone; both resolve once it is back', async () => {
    const port = v2.port;
    await v2.stop();
    const unhealthy = await alertWhere(
      'MeshUnhealthyHosts on web_v2 firing',
      (a) => a.labels.alertname === 'MeshUnhealthyHosts' && a.labels.cluster === 'web_v2',
      'firing',
    );
    expect(unhealthy.annotations.summary).toContain('0/1 healthy hosts');
    v2Record(false);
    // Connect failures (UF) first, then, with no host left, UH.
    const firing = await alertWhere(
      'MeshEdge503Ratio on web_v2 firing with UH 503s',
      (a) =>
        a.labels.alertname === 'MeshEdge503Ratio' &&
        a.labels.cluster === 'web_v2' &&
        /UH [1-9]/.test(a.annotations.description),
      'firing',
    );
    expect(firing.labels).toMatchObject({ namespace: 'shop', workload: 'web', severity: 'critical' });
    expect(firing.value).toBeGreaterThan(0.01);
    v2 = await startBackend({ name: 'v2', port });
    v2Record(true);
    await alertWhere('the unhealthy hosts to resolve', (a) => a.id === unhealthy.id, 'resolved');
    // The 10 s rate window must pass over the 503s before the ratio drops below 1%.
    await alertWhere('MeshEdge503Ratio on web_v2 resolved', (a) => a.id === firing.id, 'resolved', 40_000);
    // The history lists a transition once it is on disk (fsynced after the evaluation).
    const history = await until(
      'the resolution in the history',
      async () => {
        const h = AlertHistorySchema.parse(
          await (await fetch(`${dash.base}/api/alerts/history?alert=${firing.id}`)).json(),
        );
        return h.entries.length >= 2 ? h : undefined;
      },
      10_000,
    );
    expect(history.entries.map((e) => [e.from, e.to])).toEqual([
      ['firing', 'resolved'],
      ['inactive', 'firing'],
    ]);
    // Alertmanager got it firing (endsAt ahead, re-sent until it resolves) and then resolved.
    const posted = await until(
      'the resolved alert posted to Alertmanager',
      async () => {
        const mine = received
          .flat()
          .filter((a) => a.labels['alertname'] === 'MeshEdge503Ratio' && a.labels['cluster'] === 'web_v2');
        return mine.some((a) => Date.parse(a.endsAt) <= Date.now()) ? mine : undefined;
      },
      15_000,
    );
    const first = posted[0]!;
    expect(first.labels).toMatchObject({ namespace: 'shop', workload: 'web', severity: 'critical' });
    expect(Date.parse(first.endsAt)).toBeGreaterThan(Date.parse(first.startsAt));
    expect(first.generatorURL).toBe(`${dash.base}/#/alerts?alert=${firing.id}`);
    expect(first.annotations['summary']).toMatch(/503 from web/);
    const resolved = posted.find((a) => Date.parse(a.endsAt) <= Date.now())!;
    expect(Date.parse(resolved.endsAt)).toBe(history.entries[0]!.at);
    // The same transitions are on disk, one JSON line each.
    const onDisk = readFileSync(join(dir, 'alerts.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { alertId: string; to: string })
      .filter((e) => e.alertId === firing.id)
      .map((e) => e.to);
    expect(onDisk).toEqual(['firing', 'resolved']);
  }, 120_000);

  it('a replica whose runtime is changed behind meshscope’s back: drift fires, and resolves once reconciled', async () => {
    const r = (await route(dash.base, (await routes(dash.base))[0]!.id))!;
    const put = await putWeights(dash.base, r.id, { weights: { web_v1: 70, web_v2: 30 } }, r.version);
    expect(put.status).toBe(200);
    // Straight to the sidecar's admin, as someone with a shell on the pod would.
    const res = await fetch(`${web.adminUrl}/runtime_modify?${PREFIX}.web_v1=5&${PREFIX}.web_v2=95`, {
      method: 'POST',
    });
    expect(res.status).toBe(200);
    const drift = await alertWhere(
      'MeshReplicaWeightsDrift firing',
      (a) => a.labels.alertname === 'MeshReplicaWeightsDrift',
      'firing',
    );
    expect(drift.labels).toMatchObject({ namespace: 'shop', workload: 'web', route: r.id });
    expect(drift.labels.sidecar).toBeDefined();
    await alertWhere('the drift to resolve after reconciliation', (a) => a.id === drift.id, 'resolved');
  }, 60_000);

  it('a stopped sidecar: scrape failing goes pending, then fires after its `for`', async () => {
    await spare.stop();
    const pending = await alertWhere(
      'MeshSidecarScrapeFailing pending',
      (a) => a.labels.alertname === 'MeshSidecarScrapeFailing',
      'pending',
    );
    expect(pending.labels).toMatchObject({ namespace: 'shop', workload: 'spare' });
    const firing = await alertWhere('it to fire', (a) => a.id === pending.id, 'firing');
    expect(firing.firingAt! - firing.activeAt).toBeGreaterThanOrEqual(2000);
    expect(firing.annotations.description).toMatch(/ECONNREFUSED|connect/i);
  }, 60_000);
});
