// Circuit breaking (UO) seen by the alerts, end to end: our proxy enforcing one connection and one
// pending request to a slow backend (the istio-traffic-management-lab DestinationRule's limits), four
// clients at once, and the real bin/meshscope scraping it. The overflow rate fires MeshUpstreamOverflow
// and the 503s (UO) MeshEdge503Ratio; the open breaker gauge (circuit_breakers.default.rq_pending_open,
// 1 while the pending slot is taken) fires MeshCircuitBreakerOpen. Once the load stops, they resolve.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AlertHistorySchema } from '../../../shared/api/alerts.ts';
import { staticBootstrap } from '../../support/envoy-bootstrap.ts';
import {
  type BackendProcess,
  type ProxyProcess,
  startBackend,
  startProxy,
  stopAll,
} from '../../support/processes.ts';
import { closedLoop } from '../policies/lab-bootstrap.ts';
import { type Dashboard, until } from '../weights/weights-harness.ts';
import { alertsOf, startAlertsDashboard } from './alerts-harness.ts';

let backend: BackendProcess;
let proxy: ProxyProcess;
let dash: Dashboard;
let loading = true;
let load: Promise<void>;

const RULES = [
  'rules:',
  '  upstreamOverflow: { for: 0s }',
  '  circuitBreakerOpen: { for: 0s }',
  '  edge503Ratio: { for: 0s, minRequests: 5 }',
  '  edge5xxRatio: { enabled: false }',
  '  weightShareDrift: { enabled: false }',
  '  trafficStopped: { enabled: false }',
  '',
].join('\n');

beforeAll(async () => {
  backend = await startBackend({ name: 'slow' });
  const doc = staticBootstrap({ clusters: [{ name: 'slow', endpoints: [{ port: backend.port }] }] });
  (doc.static_resources.clusters[0] as Record<string, unknown>)['circuit_breakers'] = {
    thresholds: [{ priority: 'DEFAULT', max_connections: 1, max_pending_requests: 1 }],
  };
  proxy = await startProxy(doc);
  dash = await startAlertsDashboard(proxy.adminUrl, RULES, 'meshscope-alerts-uo-');
  // Four clients against one connection and one pending slot, each request held 50 ms upstream.
  load = (async () => {
    while (loading) await closedLoop(`http://127.0.0.1:${proxy.listenerPort}/delay/50`, 4, 40);
  })();
}, 60_000);

afterAll(async () => {
  loading = false;
  await load;
  await dash?.stop();
  await stopAll();
});

const list = () => alertsOf(dash.base);

describe('circuit breaking (UO) through the alerts', () => {
  it('fires MeshUpstreamOverflow and a 503 ratio made of UO while the breaker refuses requests', async () => {
    const l = await until(
      'overflow and 503 (UO) alerts firing',
      async () => {
        const x = await list();
        const overflow = x.alerts.find(
          (a) => a.labels.alertname === 'MeshUpstreamOverflow' && a.state === 'firing',
        );
        const r503 = x.alerts.find(
          (a) =>
            a.labels.alertname === 'MeshEdge503Ratio' &&
            a.state === 'firing' &&
            /UO [1-9]/.test(a.annotations.description),
        );
        return overflow && r503 ? { overflow, r503 } : undefined;
      },
      30_000,
      () => dash.output(),
    );
    expect(l.overflow.labels).toMatchObject({ namespace: 'shop', workload: 'caller', cluster: 'slow' });
    expect(l.overflow.value).toBeGreaterThan(0);
    expect(l.r503.labels.cluster).toBe('slow');
  }, 45_000);

  it('fires MeshCircuitBreakerOpen from the open breaker gauge, naming it', async () => {
    // The gauge is 1 only while the pending slot is taken: a scrape may fall between two requests, so
    // the history (not the current list) is where its firing is certain to be seen.
    const entry = await until(
      'a MeshCircuitBreakerOpen firing in the history',
      async () =>
        AlertHistorySchema.parse(await (await fetch(`${dash.base}/api/alerts/history`)).json()).entries.find(
          (e) => e.labels.alertname === 'MeshCircuitBreakerOpen' && e.to === 'firing',
        ),
      30_000,
      () => dash.output(),
    );
    expect(entry.labels).toMatchObject({ cluster: 'slow', severity: 'warning' });
    expect(entry.annotations.description).toMatch(/default\.(rq_pending_open|cx_open|rq_open)/);
  }, 45_000);

  it('resolves the overflow once the load stops and the window moves past it', async () => {
    loading = false;
    await load;
    await until(
      'MeshUpstreamOverflow resolved',
      async () => {
        const x = await list();
        const a = x.alerts.filter((a) => a.labels.alertname === 'MeshUpstreamOverflow');
        return a.length > 0 && a.every((y) => y.state === 'resolved');
      },
      30_000,
      () => dash.output(),
    );
  }, 45_000);
});
