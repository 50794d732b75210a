// Outlier ejection seen by the alerts: our proxy with outlier detection (consecutive_5xx) in front of a
// good backend and one that answers 500, paced load, the real bin/meshscope scraping it. The failing
// host is ejected: MeshOutlierEjections fires (outlier_detection.ejections_active) and so does
// MeshUnhealthyHosts (membership_healthy < membership_total); once the host answers 200 again and its
// ejection time is over, both resolve.

import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Alert } from '../../../shared/api/alerts.ts';
import { staticBootstrap } from '../../support/envoy-bootstrap.ts';
import { type PacedLoad, pacedLoad } from '../../support/paced-load.ts';
import {
  type BackendProcess,
  type ProxyProcess,
  startBackend,
  startProxy,
  stopAll,
} from '../../support/processes.ts';
import { type Dashboard, until } from '../weights/weights-harness.ts';
import { alertsOf, startAlertsDashboard } from './alerts-harness.ts';

let good: BackendProcess;
let flaky: http.Server;
let failing = true;
let proxy: ProxyProcess;
let load: PacedLoad;
let dash: Dashboard;

beforeAll(async () => {
  good = await startBackend({ name: 'good' });
  flaky = http.createServer((_req, res) => {
    res.writeHead(failing ? 500 : 200, { 'content-length': '0' }).end();
  });
  await new Promise<void>((r) => flaky.listen(0, '127.0.0.1', r));
  const doc = staticBootstrap({
    clusters: [
      { name: 'web', endpoints: [{ port: good.port }, { port: (flaky.address() as AddressInfo).port }] },
    ],
  });
  (doc.static_resources.clusters[0] as Record<string, unknown>)['outlier_detection'] = {
    consecutive_5xx: 3,
    interval: '0.2s',
    base_ejection_time: '2s',
    max_ejection_percent: 100,
  };
  proxy = await startProxy(doc);
  load = pacedLoad(`http://127.0.0.1:${proxy.listenerPort}/`, 30);
  dash = await startAlertsDashboard(
    proxy.adminUrl,
    'rules:\n  outlierEjections: { for: 0s }\n  unhealthyHosts: { for: 0s }\n  trafficStopped: { enabled: false }\n',
    'meshscope-alerts-outlier-',
  );
}, 60_000);

afterAll(async () => {
  load?.stop();
  await dash?.stop();
  flaky?.close();
  await stopAll();
});

async function find(name: string, state: Alert['state']): Promise<Alert> {
  return until(
    `${name} ${state}`,
    async () =>
      (await alertsOf(dash.base)).alerts.find((a) => a.labels.alertname === name && a.state === state),
    30_000,
    () => dash.output(),
  );
}

describe('outlier ejection through the alerts', () => {
  it('fires MeshOutlierEjections and MeshUnhealthyHosts while the failing host is ejected', async () => {
    const ejected = await find('MeshOutlierEjections', 'firing');
    expect(ejected.labels).toMatchObject({ namespace: 'shop', workload: 'caller', cluster: 'web' });
    expect(ejected.value).toBe(1);
    const unhealthy = await find('MeshUnhealthyHosts', 'firing');
    expect(unhealthy.annotations.summary).toContain('1/2 healthy hosts');
  }, 45_000);

  it('resolves both once the host answers again and its ejection is over', async () => {
    failing = false;
    await find('MeshOutlierEjections', 'resolved');
    await find('MeshUnhealthyHosts', 'resolved');
  }, 45_000);
});
