// meshscope's rules exported for Prometheus: `promtool check rules` accepts the rules file and the
// PrometheusRule's groups (defaults, and per-namespace overrides), and a real Prometheus loading the
// export, scraping our proxy, fires the same alert meshscope fires when a backend goes away (503 UH),
// which bin/meshscope with --prometheus then lists beside its own.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import YAML from 'yaml';
import {
  prometheusRuleManifest,
  prometheusRulesFile,
} from '../../../server/alerts/prometheus-rules-export.ts';
import { defaultRuleSet, parseRulesFile } from '../../../server/alerts/rules-file.ts';
import { type AlertList, AlertListSchema } from '../../../shared/api/alerts.ts';
import { staticBootstrap } from '../../support/envoy-bootstrap.ts';
import { type PacedLoad, pacedLoad } from '../../support/paced-load.ts';
import {
  type BackendProcess,
  type ProxyProcess,
  startBackend,
  startProxy,
  stopAll,
} from '../../support/processes.ts';
import { type PrometheusProcess, startPrometheus } from '../../support/prometheus-server.ts';
import { findTool } from '../../support/system-tools.ts';
import { type Dashboard, startDashboard, until } from '../weights/weights-harness.ts';

const dir = mkdtempSync(join(tmpdir(), 'meshscope-prom-rules-'));

function promtoolCheck(text: string, name: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return execFileSync(findTool('promtool'), ['check', 'rules', path], { encoding: 'utf8' });
}

const OVERRIDES = parseRulesFile(
  [
    'rules:',
    '  edge503Ratio: { for: 30s }',
    '  trafficStopped: { enabled: false }',
    'namespaces:',
    '  payments:',
    '    edge503Ratio: { threshold: 0.001, severity: warning }',
    '    sidecarScrapeFailing: { for: 1m }',
    '  shop:',
    '    edge503Ratio: { enabled: false }',
    '',
  ].join('\n'),
);

describe('the Prometheus export, checked by promtool', () => {
  it('accepts the default rules as a rules file', () => {
    const text = prometheusRulesFile(defaultRuleSet(), { windowSeconds: 60 });
    expect(promtoolCheck(text, 'default.yml')).toMatch(/SUCCESS: 9 rules found/);
    const names = YAML.parse(text).groups[0].rules.map((r: { alert: string }) => r.alert);
    expect(names).toEqual([
      'MeshEdge503Ratio',
      'MeshEdge5xxRatio',
      'MeshEdgeLatencyP99',
      'MeshCircuitBreakerOpen',
      'MeshUpstreamOverflow',
      'MeshOutlierEjections',
      'MeshUnhealthyHosts',
      'MeshSidecarScrapeFailing',
      'MeshTrafficStopped',
    ]);
  });

  it('accepts per-namespace overrides: one rule per scope, the global one excluding overridden namespaces', () => {
    const text = prometheusRulesFile(OVERRIDES, { windowSeconds: 300, by: ['namespace', 'pod'] });
    expect(promtoolCheck(text, 'overrides.yml')).toMatch(/SUCCESS/);
    const rules = YAML.parse(text).groups[0].rules as {
      alert: string;
      expr: string;
      for: string;
      labels: Record<string, string>;
    }[];
    const r503 = rules.filter((r) => r.alert === 'MeshEdge503Ratio');
    // shop disabled it; payments has its own.
    expect(r503.map((r) => [r.for, r.labels['severity'], r.labels['meshscope_override']])).toEqual([
      ['30s', 'critical', undefined],
      ['30s', 'warning', 'payments'],
    ]);
    expect(r503[0]!.expr).toContain('namespace!~"payments|shop"');
    expect(r503[1]!.expr).toContain('namespace="payments"');
    expect(r503[1]!.expr).toContain('> 0.001');
    expect(r503[0]!.expr).toContain('[5m]');
    expect(rules.some((r) => r.alert === 'MeshTrafficStopped')).toBe(false);
  });

  it('bin/meshscope export-rules prints what promtool accepts, and refuses a bad rules file saying where', () => {
    const bin = join(import.meta.dirname, '../../../bin/meshscope');
    const rulesPath = join(dir, 'cli-rules.yaml');
    writeFileSync(rulesPath, 'namespaces:\n  payments:\n    edge5xxRatio: { threshold: 0.2 }\n');
    const text = execFileSync(bin, ['export-rules', '--alert-rules', rulesPath, '--window', '30'], {
      encoding: 'utf8',
    });
    expect(promtoolCheck(text, 'cli.yml')).toMatch(/SUCCESS: 10 rules found/);
    expect(text).toContain('[30s]');
    writeFileSync(rulesPath, 'rules:\n  edge503Ratio: { threshold: 2 }\n');
    let failure: { status: number; stderr: string } | undefined;
    try {
      execFileSync(bin, ['export-rules', '--alert-rules', rulesPath], { encoding: 'utf8', stdio: 'pipe' });
    } catch (e) {
      failure = e as { status: number; stderr: string };
    }
    expect(failure?.status).toBe(1);
    expect(failure?.stderr).toContain(
      'rules.edge503Ratio.threshold: expected a ratio of requests, 0..1 within [0, 1], got 2',
    );
  });

  it('accepts the PrometheusRule manifest’s groups', () => {
    const manifest = YAML.parse(
      prometheusRuleManifest(OVERRIDES, { windowSeconds: 60, namespace: 'monitoring' }),
    );
    expect(manifest).toMatchObject({
      apiVersion: 'monitoring.coreos.com/v1',
      kind: 'PrometheusRule',
      metadata: { name: 'meshscope-alerts', namespace: 'monitoring' },
    });
    expect(promtoolCheck(YAML.stringify({ groups: manifest.spec.groups }), 'manifest.yml')).toMatch(
      /SUCCESS/,
    );
  });
});

// ---- a real Prometheus with the export, scraping our proxy ----

const V2_NAME = 'web-v2.shop.invalid';
const RULES =
  'rules:\n  edge503Ratio: { for: 0s, minRequests: 5 }\n  weightShareDrift: { enabled: false }\n  trafficStopped: { enabled: false }\n';

let v1: BackendProcess;
let v2: BackendProcess;
let web: ProxyProcess;
let prom: PrometheusProcess;
let load: PacedLoad;
let dash: Dashboard;
let hostsFile: string;

beforeAll(async () => {
  findTool('prometheus');
  [v1, v2] = await Promise.all([startBackend({ name: 'v1' }), startBackend({ name: 'v2' })]);
  hostsFile = join(dir, 'hosts');
  writeFileSync(hostsFile, `127.0.0.1 ${V2_NAME}\n`);
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
      { name: 'web_v1', endpoints: [{ port: v1.port }] },
      { name: 'web_v2', endpoints: [{ port: v2.port }] },
    ],
  });
  const v2Cluster = b.static_resources.clusters[1] as Record<string, unknown>;
  v2Cluster['type'] = 'STRICT_DNS';
  v2Cluster['dns_refresh_rate'] = '0.2s';
  (
    v2Cluster['load_assignment'] as {
      endpoints: { lb_endpoints: { endpoint: { address: { socket_address: { address: string } } } }[] }[];
    }
  ).endpoints[0]!.lb_endpoints[0]!.endpoint.address.socket_address.address = V2_NAME;
  web = await startProxy(b, { hostsFile });
  const rulesPath = join(dir, 'rules.yaml');
  writeFileSync(rulesPath, RULES);
  prom = await startPrometheus({
    jobs: [
      {
        name: 'sidecars',
        metricsPath: '/stats/prometheus',
        targets: [{ address: new URL(web.adminUrl).host, labels: { namespace: 'shop' } }],
      },
    ],
    // The same window as the dashboard below (--window 10).
    ruleFiles: [prometheusRulesFile(parseRulesFile(RULES), { windowSeconds: 10 })],
  });
  await prom.waitForTargetsUp();
  const targets = join(dir, 'targets.yaml');
  writeFileSync(
    targets,
    YAML.stringify({
      targets: [{ namespace: 'shop', workload: 'web', kind: 'meshscope-proxy', admin: [web.adminUrl] }],
    }),
  );
  load = pacedLoad(`http://127.0.0.1:${web.listenerPort}/`, 40);
  dash = await startDashboard([
    '--targets',
    targets,
    '--prometheus',
    prom.url,
    '--alert-rules',
    rulesPath,
    '--alert-history',
    join(dir, 'alerts.jsonl'),
    '--audit-file',
    join(dir, 'audit.jsonl'),
  ]);
}, 60_000);

afterAll(async () => {
  load?.stop();
  await dash?.stop();
  await prom?.stop();
  await stopAll();
});

async function list(): Promise<AlertList> {
  return AlertListSchema.parse(await (await fetch(`${dash.base}/api/alerts`)).json());
}

describe('a real Prometheus loading the export', () => {
  it('loads every exported rule, and nothing fires while traffic is healthy', async () => {
    const body = (await (await fetch(`${prom.url}/api/v1/rules`)).json()) as {
      data: { groups: { rules: { name: string; health: string; lastError?: string }[] }[] };
    };
    const rules = body.data.groups.flatMap((g) => g.rules);
    // Every rule but the two weight rules (not exportable) and trafficStopped (disabled above).
    expect(rules.length).toBe(8);
    let last = '';
    await until(
      'Prometheus to evaluate them',
      async () => {
        const b = (await (await fetch(`${prom.url}/api/v1/rules`)).json()) as typeof body;
        const all = b.data.groups.flatMap((g) => g.rules);
        last = JSON.stringify(
          all.filter((r) => r.health !== 'ok').map((r) => [r.name, r.health, r.lastError]),
        );
        return all.every((r) => r.health === 'ok');
      },
      15_000,
      () => last,
    );
    const l = await until('the dashboard to read Prometheus alerts', async () => {
      const x = await list();
      return x.prometheus !== null && x.evaluatedAt > 0 ? x : undefined;
    });
    expect(l.prometheus!.error).toBeNull();
    expect(l.prometheus!.alerts.filter((a) => a.state === 'firing')).toEqual([]);
  });

  it('fires the same 503 alert as meshscope when a backend goes away (UH), listed side by side', async () => {
    await v2.stop();
    writeFileSync(hostsFile, '# web-v2 gone\n');
    const seen = await until(
      'MeshEdge503Ratio firing in Prometheus and in meshscope',
      async () => {
        const l = await list();
        const ours = l.alerts.find(
          (a) =>
            a.labels.alertname === 'MeshEdge503Ratio' &&
            a.labels.cluster === 'web_v2' &&
            a.state === 'firing' &&
            /UH [1-9]/.test(a.annotations.description),
        );
        const theirs = l.prometheus?.alerts.find(
          (a) =>
            a.labels['alertname'] === 'MeshEdge503Ratio' &&
            a.labels['envoy_cluster_name'] === 'web_v2' &&
            a.state === 'firing',
        );
        return ours && theirs ? { ours, theirs } : undefined;
      },
      45_000,
      () => dash.output(),
    );
    expect(seen.theirs.labels).toMatchObject({
      namespace: 'shop',
      severity: 'critical',
      meshscope_rule: 'edge503Ratio',
    });
    expect(Number(seen.theirs.value)).toBeGreaterThan(0.01);
    expect(seen.ours.labels).toMatchObject({ namespace: 'shop', workload: 'web', severity: 'critical' });
  }, 60_000);
});
