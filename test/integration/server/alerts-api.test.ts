// The alerts API over real sockets, with an AlertsService evaluating plain snapshots: the current list,
// the history (from its file), the rules as JSON and exported, 400s, and `alerts` events on /api/events.

import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { AlertHistory } from '../../../server/alerts/alert-history.ts';
import { AlertsService } from '../../../server/alerts/alerts-service.ts';
import { parseRulesFile } from '../../../server/alerts/rules-file.ts';
import { createApp } from '../../../server/app.ts';
import { AlertHistorySchema, AlertListSchema, AlertRuleListSchema } from '../../../shared/api/alerts.ts';
import { ApiErrorSchema } from '../../../shared/api/errors.ts';
import { appServers, inertCore } from '../../support/api-harness.ts';
import { snapshot, traffic, upstream } from '../../unit/alerts/snapshot-data.ts';

let service: AlertsService;
const servers = appServers();
let base = '';

beforeAll(async () => {
  const history = await AlertHistory.open(
    join(mkdtempSync(join(tmpdir(), 'meshscope-alerts-api-')), 'alerts.jsonl'),
  );
  service = new AlertsService({
    rules: parseRulesFile(
      'rules:\n  edge503Ratio: { for: 0s }\nnamespaces:\n  payments:\n    edge5xxRatio: { threshold: 0.5 }\n',
    ),
    windowSeconds: 60,
    history,
    log: () => {},
  });
  const core = inertCore({
    graph: (req) => ({
      timestamp: 1,
      windowSeconds: 60,
      graphType: req.graphType,
      namespaces: [],
      nodes: [],
      edges: [],
    }),
    alerts: service,
  });
  base = await servers.serve(createApp(core));
});

afterAll(async () => {
  servers.closeAll();
  await service.stop();
});

const failing = (at: number) =>
  snapshot(at, { upstreams: [upstream({ traffic: traffic({ rps: 10, rate503: 5 }) })] });
const fine = (at: number) => snapshot(at, { upstreams: [upstream({ traffic: traffic({ rps: 10 }) })] });

describe('alerts API', () => {
  it('GET /api/alerts lists current alerts; GET /api/alerts/history the transitions, newest first', async () => {
    service.evaluate(failing(1000));
    let list = AlertListSchema.parse(await (await fetch(`${base}/api/alerts`)).json());
    // 50% 503 is 50% 5xx too: that rule keeps its default `for` (1 m), so it is pending.
    expect(list.alerts.map((a) => [a.labels.alertname, a.state])).toEqual([
      ['MeshEdge503Ratio', 'firing'],
      ['MeshEdge5xxRatio', 'pending'],
    ]);
    expect(list.prometheus).toBeNull();
    service.evaluate(fine(2000));
    list = AlertListSchema.parse(await (await fetch(`${base}/api/alerts`)).json());
    expect(list.alerts.map((a) => [a.state, a.resolvedAt])).toEqual([
      ['resolved', 2000],
      ['resolved', 2000],
    ]);
    const { entries } = await (async () => {
      // The file append is asynchronous; the in-memory list follows it.
      for (let i = 0; i < 50; i++) {
        const h = AlertHistorySchema.parse(await (await fetch(`${base}/api/alerts/history`)).json());
        if (h.entries.length >= 4) return h;
        await new Promise((r) => setTimeout(r, 20));
      }
      throw new Error('history did not fill');
    })();
    expect(entries.map((e) => [e.labels.alertname, e.from, e.to])).toEqual([
      ['MeshEdge5xxRatio', 'pending', 'resolved'],
      ['MeshEdge503Ratio', 'firing', 'resolved'],
      ['MeshEdge5xxRatio', 'inactive', 'pending'],
      ['MeshEdge503Ratio', 'inactive', 'firing'],
    ]);
    const one = AlertHistorySchema.parse(
      await (await fetch(`${base}/api/alerts/history?limit=1&alert=${entries[0]!.alertId}`)).json(),
    );
    expect(one.entries).toHaveLength(1);
  });

  it('GET /api/alerts/rules: settings with overrides, and the Prometheus exports', async () => {
    const { rules } = AlertRuleListSchema.parse(await (await fetch(`${base}/api/alerts/rules`)).json());
    expect(rules.find((r) => r.id === 'edge503Ratio')!.settings.for).toBe(0);
    expect(rules.find((r) => r.id === 'edge5xxRatio')!.namespaces).toEqual({ payments: { threshold: 0.5 } });
    const file = await fetch(`${base}/api/alerts/rules?format=prometheus&by=namespace,pod`);
    expect(file.headers.get('content-type')).toMatch(/yaml/);
    const doc = YAML.parse(await file.text());
    expect(doc.groups[0].rules[0]).toMatchObject({ alert: 'MeshEdge503Ratio', for: '0s' });
    expect(doc.groups[0].rules[0].expr).toContain('sum by (namespace, pod, envoy_cluster_name)');
    const manifest = YAML.parse(await (await fetch(`${base}/api/alerts/rules?format=prometheusrule`)).text());
    expect(manifest).toMatchObject({ apiVersion: 'monitoring.coreos.com/v1', kind: 'PrometheusRule' });
    expect(manifest.spec.groups[0].rules.length).toBe(doc.groups[0].rules.length);
  });

  it('counts the alerts by state and severity in /metrics', async () => {
    const text = await (await fetch(`${base}/metrics`)).text();
    expect(text).toMatch(/^meshscope_alerts\{state="resolved",severity="critical"\} 1$/m);
    expect(text).toMatch(/^meshscope_alerts\{state="resolved",severity="warning"\} 1$/m);
    expect(text).toMatch(/^meshscope_alerts\{state="firing",severity="critical"\} 0$/m);
  });

  it('answers bad parameters with a 400 naming the field', async () => {
    for (const [path, field] of [
      ['/api/alerts/history?limit=0', 'limit'],
      ['/api/alerts/history?limit=abc', 'limit'],
      ['/api/alerts/history?alert=../x', 'alert'],
      ['/api/alerts/rules?format=xml', 'format'],
      ['/api/alerts/rules?format=prometheus&by=na-me', 'by'],
      ['/api/alerts/rules?format=prometheus&namespaceLabel=1x', 'namespaceLabel'],
    ] as const) {
      const r = await fetch(base + path);
      expect(r.status, path).toBe(400);
      expect(ApiErrorSchema.parse(await r.json()).error.field).toBe(field);
    }
  });

  it('sends the alert list on /api/events when connecting and when an alert changes', async () => {
    const ac = new AbortController();
    const res = await fetch(`${base}/api/events`, { signal: ac.signal });
    const reader = res.body!.getReader();
    const decoder = new TextDecoder();
    let text = '';
    const next = async (pattern: RegExp) => {
      while (!pattern.test(text)) text += decoder.decode((await reader.read()).value);
    };
    await next(/event: alerts\ndata: .*\n\n/);
    service.evaluate(fine(2500));
    service.evaluate(failing(3000));
    await next(/event: alerts\ndata: .*\n\n[\s\S]*event: alerts\ndata: (.*)\n\n/);
    const last = [...text.matchAll(/event: alerts\ndata: (.*)\n\n/g)].at(-1)![1]!;
    const list = AlertListSchema.parse(JSON.parse(last));
    expect(list.alerts[0]).toMatchObject({ state: 'firing', activeAt: 3000, rule: 'edge503Ratio' });
    ac.abort();
  });
});
